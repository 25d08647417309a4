namespace NativeGan.Profiling.Kernels;

/// <summary>Sorts SASS opcodes into <see cref="InstructionClass"/> groups and memory instructions into <see cref="MemoryAccess"/> kinds.</summary>
public static class SassOpcodes
{
    private static readonly HashSet<string> Mma = new(StringComparer.Ordinal)
        { "HMMA", "IMMA", "DMMA", "BMMA", "HGMMA", "IGMMA", "QGMMA", "BGMMA" };

    private static readonly HashSet<string> Fp32 = new(StringComparer.Ordinal)
        { "FADD", "FADD32I", "FMUL", "FMUL32I", "FMNMX", "FSET", "FSETP", "FSEL", "FCHK", "FCMP", "FSWZADD", "FRND", "MUFU" };

    // Uniform-datapath forms (UIMAD, UIADD3, ULEA, USHF, ULOP3...) are these with a leading U.
    private static readonly HashSet<string> Integer = new(StringComparer.Ordinal)
    {
        "IMAD", "IMAD32I", "IMADSP", "IMUL", "IMUL32I", "IADD", "IADD3", "IADD32I", "VIADD", "ISCADD", "ISCADD32I", "LEA", "SHF", "SHL", "SHR",
        "LOP", "LOP3", "LOP32I", "IABS", "IMNMX", "VIMNMX", "ISETP", "ISET", "ICMP", "SEL", "PRMT", "BFE", "BFI", "FLO", "POPC", "BREV",
        "BMSK", "IDP", "IDP4A", "XMAD", "VABSDIFF", "VABSDIFF4",
    };

    private static readonly HashSet<string> ControlOps = new(StringComparer.Ordinal)
    {
        "BRA", "BRX", "BRXU", "JMP", "JMX", "CALL", "RET", "EXIT", "BSSY", "BSYNC", "BREAK", "BPT", "BMOV", "WARPSYNC", "YIELD", "KILL",
        "NANOSLEEP", "BAR", "DEPBAR", "MEMBAR", "ERRBAR", "CCTL", "CCTLL", "SYNCS", "WARPGROUP", "ACQBULK", "ELECT", "LDGDEPBAR",
    };

    public static InstructionClass Classify(SassInstruction instruction) => Classify(instruction.BaseOpcode);

    public static InstructionClass Classify(string baseOpcode)
    {
        if (baseOpcode is "FFMA" or "FFMA32I") return InstructionClass.Ffma;
        if (Mma.Contains(baseOpcode)) return InstructionClass.TensorMma;
        if (Fp32.Contains(baseOpcode)) return InstructionClass.OtherFp32;
        if (Integer.Contains(baseOpcode) || (baseOpcode.Length > 1 && baseOpcode[0] == 'U' && Integer.Contains(baseOpcode[1..])))
            return InstructionClass.IntegerAddress;
        if (MemoryKind(baseOpcode) is { } k)
            return k.Space switch
            {
                MemorySpace.Shared => InstructionClass.SharedMemory,
                MemorySpace.Local => InstructionClass.LocalMemory,
                _ => InstructionClass.GlobalMemory,
            };
        if (baseOpcode is "LDC" or "ULDC") return InstructionClass.ConstantLoad;
        if (ControlOps.Contains(baseOpcode)) return InstructionClass.Control;
        return InstructionClass.Other;
    }

    /// <summary>The memory access of a load, store or atomic to shared, global, generic or local memory; null for anything else.</summary>
    public static MemoryAccess? Access(SassInstruction instruction)
    {
        if (MemoryKind(instruction.BaseOpcode) is not { } k) return null;
        return new MemoryAccess(instruction.BaseOpcode, k.Space, k.Direction, Width(instruction.BaseOpcode, instruction.Modifiers));
    }

    private static (MemorySpace Space, MemoryDirection Direction)? MemoryKind(string op) => op switch
    {
        "LDS" or "LDSM" => (MemorySpace.Shared, MemoryDirection.Load),
        "STS" => (MemorySpace.Shared, MemoryDirection.Store),
        "ATOMS" => (MemorySpace.Shared, MemoryDirection.Atomic),
        "LDG" or "LDGSTS" => (MemorySpace.Global, MemoryDirection.Load),
        "STG" => (MemorySpace.Global, MemoryDirection.Store),
        "ATOMG" or "RED" or "REDG" => (MemorySpace.Global, MemoryDirection.Atomic),
        "LD" => (MemorySpace.Generic, MemoryDirection.Load),
        "ST" => (MemorySpace.Generic, MemoryDirection.Store),
        "ATOM" => (MemorySpace.Generic, MemoryDirection.Atomic),
        "LDL" => (MemorySpace.Local, MemoryDirection.Load),
        "STL" => (MemorySpace.Local, MemoryDirection.Store),
        _ => null,
    };

    /// <summary>
    /// Bits per thread: 8/16 for U8/S8/U16/S16, 64 or 128 when the modifiers say so, else 32. LDSM moves one 32-bit register
    /// per thread per 8x8 matrix: no count = 32, ".2" = 64, ".4" = 128.
    /// </summary>
    private static int Width(string op, IReadOnlyList<string> modifiers)
    {
        if (op == "LDSM") return modifiers.Contains("4") ? 128 : modifiers.Contains("2") ? 64 : 32;
        foreach (var m in modifiers)
            switch (m)
            {
                case "128": return 128;
                case "64" or "U64" or "S64" or "F64": return 64;
                case "U8" or "S8": return 8;
                case "U16" or "S16": return 16;
            }
        return 32;
    }
}
