using NativeGan.Profiling.Kernels;

namespace NativeGan.Tests.Profiling.Kernels;

public class SassLoopMixTests
{
    [Fact]
    public void Tiled128InnerLoopIsTheKStepOfSixtyFourFfmaFedBySixteenScalarLds()
    {
        // sm_90 SASS of the 128x128 tile, 8x8 outputs per thread: the k loop at 0x1be0..0x2300 (8 steps of k per shared tile)
        // sits inside the tile loop 0x530..0x2380. Per step: 8 + 8 LDS (32-bit) of A and B, 64 FFMA, 34 address ops
        // (2 IMAD, 15 IADD3, 16 LEA, 1 ISETP) and the branch: 115 instructions, FFMA 64/115 = 55.7%.
        var mix = SassLoopMix.Analyze(KernelFixtures.Sass("GemmKernels.Tiled128"));
        Assert.Equal("Kernel_Tiled128", mix.Function);
        Assert.Equal(2, mix.Loops.Count);
        var loop = Assert.IsType<SassLoop>(mix.Innermost);
        Assert.Equal((0x1be0, 0x2300, 2), (loop.StartOffset, loop.EndOffset, loop.Depth));
        Assert.Equal(115, loop.Mix.Instructions);
        Assert.Equal(64, loop.Mix.Ffma);
        Assert.Equal(0, loop.Mix.TensorMma);
        Assert.InRange(loop.Mix.Share(InstructionClass.Ffma), 0.50, 0.60);
        Assert.Equal(34, loop.Mix.Count(InstructionClass.IntegerAddress));
        Assert.Equal(16, loop.Mix.Count(InstructionClass.SharedMemory));
        Assert.Equal(new Dictionary<MemoryAccess, int> { [new MemoryAccess("LDS", MemorySpace.Shared, MemoryDirection.Load, 32)] = 16 },
            loop.Mix.MemoryAccesses);

        var outer = mix.Loops.Single(l => !l.IsInnermost);
        Assert.Equal((0x530, 0x2380, 1), (outer.StartOffset, outer.EndOffset, outer.Depth));
        Assert.True(outer.Contains(loop));

        // Whole function: the epilogue's guarded stores make it long; 64 more FFMA scale the results (alpha, beta).
        Assert.Equal(2660, mix.Whole.Instructions);
        Assert.Equal(128, mix.Whole.Ffma);
        Assert.True(mix.Whole.Accesses(MemorySpace.Generic, MemoryDirection.Store).Any());   // ILGPU's ST.E
        Assert.Empty(mix.Whole.Accesses(MemorySpace.Global, MemoryDirection.Load));          // no LDG at all
    }

    [Fact]
    public void Tiled128OnSm80HasTheSameLoopShape()
    {
        var loop = SassLoopMix.Analyze(KernelFixtures.Sass("GemmKernels.Tiled128", "sm_80")).Innermost!;
        Assert.Equal((0x19a0, 0x20c0), (loop.StartOffset, loop.EndOffset));
        Assert.Equal(115, loop.Mix.Instructions);
        Assert.Equal(64, loop.Mix.Ffma);
        Assert.Equal(16, loop.Mix.MemoryAccesses.Single().Value);
    }

    [Fact]
    public void BackwardWeightInnermostLoopIsOneFfmaOfTwoGenericLoads()
    {
        // Four nested loops (grid stride, input channel, kernel row, kernel column); the innermost one (0xde0..0xf60) is one
        // multiply-add in bounds checks: 25 instructions, 2 LD.E of 32 bits, 1 FFMA, and the parameters reloaded from constant memory.
        var mix = SassLoopMix.Analyze(KernelFixtures.Sass("Conv2dKernels.BackwardWeight"));
        Assert.Equal(4, mix.Loops.Count);
        Assert.Equal([1, 2, 3, 4], mix.Loops.Select(l => l.Depth).ToArray());
        var loop = mix.Innermost!;
        Assert.Equal((0xde0, 0xf60), (loop.StartOffset, loop.EndOffset));
        Assert.Equal(25, loop.Mix.Instructions);
        Assert.Equal(1, loop.Mix.Ffma);
        Assert.Equal(2, loop.Mix.MemoryAccesses[new MemoryAccess("LD", MemorySpace.Generic, MemoryDirection.Load, 32)]);
        Assert.Equal(7, loop.Mix.Count(InstructionClass.ConstantLoad));
    }

    [Fact]
    public void FillGridStrideLoopIsFoundAndTheClosingSelfBranchIsNot()
    {
        var mix = SassLoopMix.Analyze(KernelFixtures.Sass("ElementwiseKernels.Fill"));
        var loop = Assert.Single(mix.Loops);   // "BRA 0x160" at 0x160 branches to itself: not a loop
        Assert.Equal((0xe0, 0x140), (loop.StartOffset, loop.EndOffset));
        Assert.Equal(7, loop.Mix.Instructions);
        Assert.Equal(0, loop.Mix.Ffma);
        Assert.Equal(1, loop.Mix.MemoryAccesses[new MemoryAccess("ST", MemorySpace.Generic, MemoryDirection.Store, 32)]);
        Assert.Equal(23, mix.Whole.Instructions);   // 32 printed, 9 NOPs of padding
    }

    [Fact]
    public void NvdisasmListingWithLabelsGivesTheSameLoop()
    {
        var fromLabels = SassLoopMix.Analyze(KernelFixtures.Read("ElementwiseKernels.Fill.sm_90.nvdisasm.txt"));
        var fromAddresses = SassLoopMix.Analyze(KernelFixtures.Sass("ElementwiseKernels.Fill"));
        Assert.Equal("Kernel_Fill", fromLabels.Function);
        Assert.Equal((0xe0, 0x140), (fromLabels.Innermost!.StartOffset, fromLabels.Innermost.EndOffset));
        Assert.Equal(fromAddresses.Whole.Instructions, fromLabels.Whole.Instructions);
        Assert.Equal(fromAddresses.Innermost!.Mix.Opcodes, fromLabels.Innermost.Mix.Opcodes);
    }

    [Fact]
    public void MaxForwardInnermostLoopIsTheUnrolledWindowRow()
    {
        var mix = SassLoopMix.Analyze(KernelFixtures.Sass("PoolKernels.MaxForward"));
        Assert.Equal(3, mix.Loops.Count);
        var loop = mix.Innermost!;
        Assert.Equal((0x7b0, 0xb20, 3), (loop.StartOffset, loop.EndOffset, loop.Depth));
        Assert.Equal(56, loop.Mix.Instructions);
        Assert.Equal(4, loop.Mix.MemoryAccesses[new MemoryAccess("LD", MemorySpace.Generic, MemoryDirection.Load, 32)]);
        Assert.Equal(4, loop.Mix.Opcodes["FSETP"]);
    }

    [Fact]
    public void FunctionWithoutLoop()
    {
        const string sass = """
                Function : k
                    /*0000*/                   LDC R1, c[0x0][0x28] ;
                    /*0010*/                   FFMA R2, R3, R4, R5 ;
                    /*0020*/                   EXIT ;
                    /*0030*/                   BRA 0x30;
                    /*0040*/                   NOP;
            """;
        var mix = SassLoopMix.Analyze(sass);
        Assert.False(mix.HasLoop);
        Assert.Empty(mix.Loops);
        Assert.Equal(4, mix.Whole.Instructions);
        Assert.Equal(1, mix.Whole.Ffma);
    }

    [Fact]
    public void AmongInnermostLoopsTheOneWithMostFmaWinsAndBackEdgesToOneTargetMerge()
    {
        const string sass = """
                    /*0000*/                   IADD3 R0, R0, 0x1, RZ ;
                    /*0010*/              @P0 BRA 0x0 ;
                    /*0020*/                   LDS.128 R4, [R2] ;
                    /*0030*/                   HMMA.16816.F32 R8, R4, R6, R8 ;
                    /*0040*/              @P1 BRA 0x20 ;
                    /*0050*/                   FFMA R1, R2, R3, R1 ;
                    /*0060*/                   LDSM.16.M88.4 R12, [R2] ;
                    /*0070*/              @P2 BRA 0x20 ;
                    /*0080*/                   LDG.E.128.CONSTANT R4, [R2.64] ;
                    /*0090*/                   STG.E.64 [R2.64], R4 ;
                    /*00a0*/                   EXIT ;
            """;
        var mix = SassLoopMix.Analyze(sass);
        Assert.Equal("", mix.Function);
        Assert.Equal(2, mix.Loops.Count);   // [0x0, 0x10] and [0x20, 0x70]: two branches back to 0x20 are one loop
        var loop = mix.Innermost!;
        Assert.Equal((0x20, 0x70), (loop.StartOffset, loop.EndOffset));
        Assert.Equal((1, 1), (loop.Mix.Ffma, loop.Mix.TensorMma));
        Assert.Equal(["LDS.128", "LDSM.128"], loop.Mix.MemoryAccesses.Keys.Select(k => k.ToString()).ToArray());
        Assert.Equal(["LDG.128", "STG.64"], mix.Whole.MemoryAccesses.Keys.Where(k => k.Space == MemorySpace.Global).Select(k => k.ToString()).ToArray());
    }

    [Theory]
    [InlineData("FFMA", InstructionClass.Ffma)]
    [InlineData("HGMMA", InstructionClass.TensorMma)]
    [InlineData("MUFU", InstructionClass.OtherFp32)]
    [InlineData("UIADD3", InstructionClass.IntegerAddress)]
    [InlineData("USHF", InstructionClass.IntegerAddress)]
    [InlineData("LEA", InstructionClass.IntegerAddress)]
    [InlineData("STL", InstructionClass.LocalMemory)]
    [InlineData("ULDC", InstructionClass.ConstantLoad)]
    [InlineData("BSYNC", InstructionClass.Control)]
    [InlineData("MOV", InstructionClass.Other)]
    [InlineData("HFMA2", InstructionClass.Other)]
    public void OpcodeClasses(string opcode, InstructionClass expected) => Assert.Equal(expected, SassOpcodes.Classify(opcode));
}
