namespace NativeGan.Profiling.Kernels;

/// <summary>The groups an instruction mix is counted in.</summary>
public enum InstructionClass
{
    /// <summary>FP32 fused multiply-add (FFMA, FFMA32I): two FLOPs per thread.</summary>
    Ffma,
    /// <summary>Tensor-core matrix multiply-accumulate: HMMA, IMMA, DMMA, BMMA and sm_90's warpgroup GMMA forms.</summary>
    TensorMma,
    /// <summary>Other FP32 arithmetic and compares: FADD, FMUL, FMNMX, FSETP, FSEL, MUFU...</summary>
    OtherFp32,
    /// <summary>Integer and address arithmetic, uniform-datapath forms included: IMAD (IMAD.MOV too), IADD3, LEA, SHF, LOP3, ISETP, SEL...</summary>
    IntegerAddress,
    /// <summary>LDS, LDSM, STS, ATOMS.</summary>
    SharedMemory,
    /// <summary>LDG, STG, generic LD and ST (what ILGPU emits for array views), ATOM, ATOMG, RED, LDGSTS.</summary>
    GlobalMemory,
    /// <summary>LDL, STL: spills and local arrays.</summary>
    LocalMemory,
    /// <summary>LDC, ULDC.</summary>
    ConstantLoad,
    /// <summary>Branches, calls, convergence (BSSY, BSYNC, WARPSYNC), barriers, EXIT.</summary>
    Control,
    /// <summary>Everything else: moves, conversions, special registers, shuffles, FP16/FP64 arithmetic, predicate logic.</summary>
    Other,
}

/// <summary>Where a memory instruction goes. Generic is ILGPU's LD.E / ST.E: any space, in practice global.</summary>
public enum MemorySpace { Shared, Global, Generic, Local }

public enum MemoryDirection { Load, Store, Atomic }

/// <summary>A memory instruction kind by its base opcode and width in bits per thread, printed "LDS.128", "LD.32", "LDSM.128".</summary>
public readonly record struct MemoryAccess(string Opcode, MemorySpace Space, MemoryDirection Direction, int WidthBits)
{
    public override string ToString() => $"{Opcode}.{WidthBits}";
}
