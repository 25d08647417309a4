using System.Diagnostics;
using ILGPU;
using ILGPU.Backends;
using ILGPU.Backends.EntryPoints;
using ILGPU.Backends.PTX;
using ILGPU.Runtime;
using ILGPU.Runtime.CPU;
using ILGPU.Runtime.Cuda;
using NativeGan.Backends.Ilgpu;
using NativeGan.Kernels;
using NativeGan.Kernels.Elementwise;
using NativeGan.Kernels.Random;
using NativeGan.Kernels.Reduction;

namespace NativeGan.Tests.Kernels;

/// <summary>
/// The kernels that need exp, log, pow or cos: they compile for the PTX backend, they give on ILGPU's CPU
/// accelerator the same bits as the managed code (the CPU backend) calling the same functions, and the
/// float Box-Muller stays close to a double-precision one.
/// </summary>
public class KernelMathKernelTests(ITestOutputHelper output)
{
    private static readonly (Type Type, string Name)[] TranscendentalKernels =
    {
        (typeof(ElementwiseKernels), nameof(ElementwiseKernels.Unary)),
        (typeof(ElementwiseKernels), nameof(ElementwiseKernels.BinaryDense)),
        (typeof(ElementwiseKernels), nameof(ElementwiseKernels.BinaryStrided)),
        (typeof(ReductionKernels), nameof(ReductionKernels.LogSoftmaxMiddle)),
        (typeof(RandomKernels), nameof(RandomKernels.Normal)),
    };

    [Theory]
    [InlineData(7, 0)]
    [InlineData(7, 5)]
    [InlineData(8, 0)]
    [InlineData(8, 6)]
    [InlineData(8, 9)]
    [InlineData(9, 0)]
    public void TranscendentalKernelsCompileToPtx(int major, int minor)
    {
        using var context = Context.Create(b => b.Cuda().CPU(CPUDeviceKind.Nvidia).Optimize(OptimizationLevel.O1).Profiling());
        var arch = new CudaArchitecture(major, minor);
        using var backend = new PTXBackend(context, new CudaCapabilityContext(arch), arch, CudaInstructionSet.ISA_78, null);
        string? ptxas = FindPtxas();
        foreach (var (type, name) in TranscendentalKernels)
        {
            var compiled = backend.Compile(EntryPointDescription.FromExplicitlyGroupedKernel(type.GetMethod(name)!), KernelSpecialization.Empty);
            string ptx = ((PTXCompiledKernel)compiled).PTXAssembly;
            Assert.Contains(".entry", ptx);
            // ILGPU emits a call to an undeclared extern for a .NET method it cannot lower (MathF.FusedMultiplyAdd
            // is one): the backend succeeds and only ptxas or the driver fails.
            Assert.DoesNotContain(".extern", ptx);
            Assert.DoesNotContain(".f64", ptx);   // no double-precision arithmetic
            if (ptxas is not null) AssertPtxasAccepts(ptxas, ptx, $"sm_{major}{minor}", name);
        }
        output.WriteLine(ptxas is null ? "ptxas not found: PTX generated, not assembled" : $"assembled with {ptxas}");
    }

    /// <summary>NVIDIA's ptxas from tools/fetch-cuda-tools.sh, when this machine has it.</summary>
    private static string? FindPtxas()
    {
        string cache = Environment.GetEnvironmentVariable("NATIVEGAN_CUDA_TOOLS")
            ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache", "nativegan", "cuda-11.8");
        string path = Path.Combine(cache, "bin", "ptxas");
        return File.Exists(path) ? path : null;
    }

    private static void AssertPtxasAccepts(string ptxas, string ptx, string sm, string kernel)
    {
        string file = Path.Combine(Path.GetTempPath(), $"nativegan-kernelmath-{Environment.ProcessId}-{kernel}-{sm}.ptx");
        File.WriteAllText(file, ptx);
        try
        {
            using var p = Process.Start(new ProcessStartInfo(ptxas, $"-arch={sm} {file} -o /dev/null")
            {
                RedirectStandardError = true,
                RedirectStandardOutput = true,
            })!;
            string err = p.StandardError.ReadToEnd();
            p.WaitForExit();
            Assert.True(p.ExitCode == 0, $"ptxas {sm} rejected {kernel}: {err}");
        }
        finally
        {
            File.Delete(file);
        }
    }

    private static IlgpuBackend Backend => (IlgpuBackend)Device.IlgpuCpu.Backend;

    /// <summary>Ordinary values over several scales, and the special ones.</summary>
    private static float[] Inputs(int seed, int n)
    {
        var rng = new System.Random(seed);
        var specials = new[] { 0f, -0f, 1f, -1f, 0.5f, 88.72f, 89f, -104f, -87.5f, 20f, 20.5f, 1e-40f, -1e-40f, 3.4e38f,
            float.PositiveInfinity, float.NegativeInfinity, float.NaN, 0.0004f, -0.0004f };
        var x = new float[n];
        for (int i = 0; i < n; i++)
        {
            x[i] = i < specials.Length ? specials[i] : (i % 3) switch
            {
                0 => (float)(rng.NextDouble() * 40 - 20),
                1 => (float)(Math.Exp(rng.NextDouble() * 60 - 30) * (rng.Next(2) == 0 ? -1 : 1)),
                _ => (float)(rng.NextDouble() * 200 - 100),
            };
        }
        return x;
    }

    private static ArrayView<float> View(Tensor t) => ((IlgpuStorage)t.Storage).View.SubView(t.Offset, t.NumEl);

    [Theory]
    [InlineData(UnaryOp.Exp, 0f)]
    [InlineData(UnaryOp.Log, 0f)]
    [InlineData(UnaryOp.Tanh, 0f)]
    [InlineData(UnaryOp.Sigmoid, 0f)]
    [InlineData(UnaryOp.Softplus, 0f)]
    [InlineData(UnaryOp.PowScalar, 1.7f)]
    [InlineData(UnaryOp.PowScalar, -0.3f)]
    [InlineData(UnaryOp.PowScalar, 3f)]
    [InlineData(UnaryOp.PowScalar, -2f)]
    public void UnaryKernelMatchesManagedBitForBit(UnaryOp op, float a)
    {
        var x = Inputs(1, 3001);
        var expected = x.Select(v => UnaryMath.Apply(op, v, a, 0f)).ToArray();
        using var scope = Tensor.Scope();
        var tx = Tensor.FromArray(x, new[] { x.Length }, Device.IlgpuCpu);
        var ty = Tensor.Full(new[] { x.Length }, -12345f, Device.IlgpuCpu);
        Backend.Kernels.Get(KernelCatalog.Unary)(Backend.Stream, Backend.Kernels.For(x.Length), View(tx), View(ty), x.Length, op, a, 0f);
        Backend.Synchronize();
        AssertSameBits(expected, ty.ToArray(), $"{op}({a})");
    }

    [Fact]
    public void BinaryDenseAndStridedPowMatchManagedBitForBit()
    {
        const int rows = 40, cols = 53;
        var a = Inputs(2, rows * cols);
        var rng = new System.Random(3);
        // Exponents: integers (odd and even, so negative bases keep a sign), fractions and the special ones.
        var b = Enumerable.Range(0, rows * cols).Select(i => (i % 5) switch
        {
            0 => (float)rng.Next(-6, 7),
            1 => (float)(rng.NextDouble() * 6 - 3),
            2 => new[] { 0f, -0f, 0.5f, 2f, float.NaN, float.PositiveInfinity, float.NegativeInfinity, 1e10f }[rng.Next(8)],
            _ => (float)(rng.NextDouble() * 0.2 - 0.1),
        }).ToArray();
        using var scope = Tensor.Scope();
        var ta = Tensor.FromArray(a, new[] { a.Length }, Device.IlgpuCpu);
        var tb = Tensor.FromArray(b, new[] { b.Length }, Device.IlgpuCpu);
        var k = Backend.Kernels;

        var dense = Tensor.Full(new[] { a.Length }, -12345f, Device.IlgpuCpu);
        k.Get(KernelCatalog.BinaryDense)(Backend.Stream, k.For(a.Length), View(ta), View(tb), View(dense), a.Length, BinaryOp.Pow);
        Backend.Synchronize();
        AssertSameBits(a.Select((v, i) => BinaryMath.Apply(BinaryOp.Pow, v, b[i])).ToArray(), dense.ToArray(), "BinaryDense pow");

        // a as (rows, cols), b's first row broadcast over the rows.
        var layout = new StridedLayout { Rank = 2, S0 = rows, S1 = cols, A0 = cols, A1 = 1, B0 = 0, B1 = 1, C0 = cols, C1 = 1 };
        var strided = Tensor.Full(new[] { a.Length }, -12345f, Device.IlgpuCpu);
        k.Get(KernelCatalog.BinaryStrided)(Backend.Stream, k.For(a.Length), View(ta), View(tb), View(strided), a.Length, BinaryOp.Pow, layout);
        Backend.Synchronize();
        AssertSameBits(a.Select((v, i) => BinaryMath.Apply(BinaryOp.Pow, v, b[i % cols])).ToArray(), strided.ToArray(), "BinaryStrided pow");
    }

    [Theory]
    [InlineData(3, 50, 4)]
    [InlineData(5, 37, 1)]
    public void LogSoftmaxKernelMatchesManagedBitForBit(int outer, int r, int inner)
    {
        var rng = new System.Random(4);
        var x = Enumerable.Range(0, outer * r * inner).Select(i => (float)(rng.NextDouble() * (i % 2 == 0 ? 8 : 80) - 40)).ToArray();
        var expected = new float[x.Length];
        for (int o = 0; o < outer; o++)
            for (int i = 0; i < inner; i++)
            {
                int b = o * r * inner + i;
                float m = x[b];
                for (int j = 1; j < r; j++) m = MathF.Max(m, x[b + j * inner]);
                float s = 0f;
                for (int j = 0; j < r; j++) s += KernelMath.Exp(x[b + j * inner] - m);
                float lse = m + KernelMath.Log(s);
                for (int j = 0; j < r; j++) expected[b + j * inner] = x[b + j * inner] - lse;
            }
        using var scope = Tensor.Scope();
        var tx = Tensor.FromArray(x, new[] { x.Length }, Device.IlgpuCpu);
        var ty = Tensor.Full(new[] { x.Length }, -12345f, Device.IlgpuCpu);
        Backend.Kernels.Get(KernelCatalog.LogSoftmax)(Backend.Stream, Backend.Kernels.For(outer * inner), View(tx), View(ty), outer, r, inner);
        Backend.Synchronize();
        AssertSameBits(expected, ty.ToArray(), $"log_softmax ({outer}, {r}, {inner})");
    }

    [Fact]
    public void NormalKernelMatchesManagedBitForBit()
    {
        const int n = 5000;
        const ulong seed = 0x1234_5678_9ABCUL, offset = 77;
        const float mean = 0.25f, std = 1.5f;
        using var scope = Tensor.Scope();
        var ty = Tensor.Full(new[] { n }, -12345f, Device.IlgpuCpu);
        Backend.Kernels.Get(KernelCatalog.Normal)(Backend.Stream, Backend.Kernels.For(n), View(ty), n, seed, offset, mean, std);
        Backend.Synchronize();
        var expected = Enumerable.Range(0, n).Select(i => mean + std * Philox.Normal(seed, offset + (ulong)i)).ToArray();
        AssertSameBits(expected, ty.ToArray(), "normal");
    }

    [Fact]
    public void BoxMullerIsCloseToDoublePrecision()
    {
        // Every 4th u1 and u2 of the 2^24 the generator can give, each paired with a random other half, and the
        // ends of both.
        var rng = new System.Random(5);
        double maxAbs = 0, maxRadiusUlp = 0;
        string worst = "";
        void Check(uint r0, uint r1)
        {
            double u1 = ((r0 >> 8) + 1) / 16777216.0, u2 = (r1 >> 8) / 16777216.0;
            double radius = Math.Sqrt(-2 * Math.Log(u1));
            double want = radius * Math.Cos(2 * Math.PI * u2);
            double err = Math.Abs(Philox.BoxMuller(r0, r1) - want);
            if (err > maxAbs) { maxAbs = err; worst = $"r0 = 0x{r0:X8}, r1 = 0x{r1:X8}"; }
            // In ulps of the radius: near the zeros of the cosine the draw's own ulp says nothing.
            if (radius > 0) maxRadiusUlp = Math.Max(maxRadiusUlp, err / Math.ScaleB(1.0, Math.ILogB(radius) - 23));
        }
        int draws = 0;
        foreach (uint j in Enumerable.Range(0, 1 << 22).Select(i => (uint)i * 4).Concat(new[] { 1u, 2u, 0xFFFFFFu, 0x400000u, 0x800000u, 0xC00000u }))
        {
            Check(j << 8, (uint)rng.Next() << 1);
            Check((uint)rng.Next() << 1, j << 8);
            draws += 2;
        }
        output.WriteLine($"Box-Muller in float vs double over {draws} draws: max abs error {maxAbs:E3} at {worst}, max {maxRadiusUlp:F3} ulp of the radius");
        Assert.True(maxAbs <= 1e-6, $"max abs error {maxAbs:E3} at {worst}");
        Assert.True(maxRadiusUlp <= 2.0, $"max {maxRadiusUlp:F3} ulp of the radius");
    }

    private static void AssertSameBits(float[] expected, float[] actual, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(BitConverter.SingleToUInt32Bits(expected[i]) == BitConverter.SingleToUInt32Bits(actual[i]),
                $"{what} [{i}]: managed {expected[i]:R}, ilgpu-cpu {actual[i]:R}");
    }
}
