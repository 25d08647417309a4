using ILGPU;
using ILGPU.Runtime;
using ILGPU.Runtime.CPU;
using NativeGan.Backends.Cpu;
using NativeGan.Backends.Ilgpu;
using NativeGan.Kernels.Gemm;
using Xunit;

namespace NativeGan.Tests.Gemm;

/// <summary>One ILGPU CPU accelerator (simulating an NVIDIA-like device, 1024 threads per group) and its loaded kernels, shared by the tests.</summary>
public sealed class IlgpuCpuFixture : IDisposable
{
    public Context Context { get; } = Context.Create(builder => builder.CPU(CPUDeviceKind.Nvidia));
    public Accelerator Accelerator { get; }
    public Action<KernelConfig, ArrayView<float>, ArrayView<float>, ArrayView<float>, GemmParams, int> Naive { get; }
    public Action<KernelConfig, ArrayView<float>, ArrayView<float>, ArrayView<float>, GemmParams> Tiled { get; }
    public Action<KernelConfig, ArrayView<float>, ArrayView<float>, ArrayView<float>, GemmParams> Tiled128 { get; }

    public IlgpuCpuFixture()
    {
        Accelerator = Context.CreateCPUAccelerator(0);
        Naive = Accelerator.LoadStreamKernel<ArrayView<float>, ArrayView<float>, ArrayView<float>, GemmParams, int>(GemmKernels.Naive);
        Tiled = Accelerator.LoadStreamKernel<ArrayView<float>, ArrayView<float>, ArrayView<float>, GemmParams>(GemmKernels.Tiled);
        Tiled128 = Accelerator.LoadStreamKernel<ArrayView<float>, ArrayView<float>, ArrayView<float>, GemmParams>(GemmKernels.Tiled128);
    }

    public void Dispose()
    {
        Accelerator.Dispose();
        Context.Dispose();
    }
}

public class GemmTests(IlgpuCpuFixture ilgpu) : IClassFixture<IlgpuCpuFixture>
{
    private static float[] Random(int length, int seed)
    {
        var rng = new Random(seed);
        var x = new float[length];
        for (int i = 0; i < x.Length; i++) x[i] = (float)(rng.NextDouble() * 2 - 1);
        return x;
    }

    private static float[] Nan(int length)
    {
        var x = new float[length];
        Array.Fill(x, float.NaN);
        return x;
    }

    private static void AssertClose(float[] expected, float[] actual, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        double max = 0;
        foreach (float v in expected) if (!float.IsNaN(v)) max = Math.Max(max, Math.Abs(v));
        double tol = 1e-4 * Math.Max(max, 1e-6);
        for (int i = 0; i < expected.Length; i++)
        {
            if (float.IsNaN(expected[i]) && float.IsNaN(actual[i])) continue;
            double err = Math.Abs(expected[i] - actual[i]);
            Assert.True(err <= tol, $"{what}: element {i} expected {expected[i]}, got {actual[i]} (|err| {err:E2} > tol {tol:E2})");
        }
    }

    public static TheoryData<int, int, int> Shapes() => new()
    {
        { 1, 1, 1 }, { 7, 13, 5 }, { 65, 33, 17 }, { 130, 70, 300 }, { 1, 200, 3 }, { 200, 1, 40 }, { 6, 16, 1 },
        { 33, 47, 600 }, { 300, 250, 70 }, { 32, 790, 300 },
    };

    private delegate void Gemm(bool ta, bool tb, int m, int n, int k, float alpha, float[] a, int ao, int lda,
        float[] b, int bo, int ldb, float beta, float[] c, int co, int ldc);

    /// <summary>Runs one case with padded leading dimensions and offsets against the naive oracle.</summary>
    private static void Case(Gemm gemm, bool ta, bool tb, int m, int n, int k, float alpha, float beta, int pad, int seed)
    {
        int lda = (ta ? m : k) + pad, ldb = (tb ? k : n) + pad, ldc = n + pad;
        int ao = pad, bo = 2 * pad, co = 3 * pad;
        var a = Random(ao + (ta ? k : m) * lda, seed);
        var b = Random(bo + (tb ? n : k) * ldb, seed + 1);
        var c0 = beta == 0f ? Nan(co + m * ldc) : Random(co + m * ldc, seed + 2);
        var expected = (float[])c0.Clone();
        var actual = (float[])c0.Clone();
        CpuSgemm.SgemmNaive(ta, tb, m, n, k, alpha, a, ao, lda, b, bo, ldb, beta, expected, co, ldc);
        gemm(ta, tb, m, n, k, alpha, a, ao, lda, b, bo, ldb, beta, actual, co, ldc);
        // Elements outside the logical C (padding) must be untouched: NaN stays NaN, values stay equal.
        AssertClose(expected, actual, $"ta={ta} tb={tb} {m}x{n}x{k} alpha={alpha} beta={beta} pad={pad}");
        if (beta == 0f)
            for (int i = 0; i < m; i++)
                for (int j = 0; j < n; j++)
                    Assert.False(float.IsNaN(actual[co + i * ldc + j]), $"beta=0 must overwrite C[{i},{j}]");
    }

    private static void AllCombos(Gemm gemm, int m, int n, int k)
    {
        int seed = m * 7919 + n * 31 + k;
        foreach (bool ta in new[] { false, true })
            foreach (bool tb in new[] { false, true })
            {
                Case(gemm, ta, tb, m, n, k, 1f, 0f, 0, seed++);
                Case(gemm, ta, tb, m, n, k, 2f, 0.5f, 3, seed++);
                Case(gemm, ta, tb, m, n, k, -0.75f, 0f, 5, seed++);
            }
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Sgemm_MatchesNaive(int m, int n, int k) => AllCombos(CpuSgemm.Sgemm, m, n, k);

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Sgemm_PackedAvx2Kernel_MatchesNaive(int m, int n, int k)
    {
        Assert.SkipUnless(System.Runtime.Intrinsics.X86.Fma.IsSupported, "no FMA on this machine");
        AllCombos((ta, tb, mm, nn, kk, al, a, ao, lda, b, bo, ldb, be, c, co, ldc) => CpuSgemm.SgemmWith(
            CpuSgemm.KernelKind.Avx2x6x16, true, ta, tb, mm, nn, kk, al, a, ao, lda, b, bo, ldb, be, c, co, ldc), m, n, k);
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Sgemm_PackedVector512Kernel_MatchesNaive(int m, int n, int k)
    {
        // Runs where Vector512 is only emulated too (slowly): checks the 8x32 kernel's logic on any machine.
        AllCombos((ta, tb, mm, nn, kk, al, a, ao, lda, b, bo, ldb, be, c, co, ldc) => CpuSgemm.SgemmWith(
            CpuSgemm.KernelKind.V512x8x32, true, ta, tb, mm, nn, kk, al, a, ao, lda, b, bo, ldb, be, c, co, ldc), m, n, k);
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Sgemm_SimplePath_MatchesNaive(int m, int n, int k)
        => AllCombos((ta, tb, mm, nn, kk, al, a, ao, lda, b, bo, ldb, be, c, co, ldc) => CpuSgemm.SgemmWith(
            CpuSgemm.KernelKind.Simple, false, ta, tb, mm, nn, kk, al, a, ao, lda, b, bo, ldb, be, c, co, ldc), m, n, k);

    [Fact]
    public void Sgemm_LargeParallel_MatchesNaive()
    {
        // Big enough for the multi-threaded split (rows, then columns) and several K blocks.
        Case(CpuSgemm.Sgemm, false, false, 301, 203, 700, 1f, 0f, 1, 11);
        Case(CpuSgemm.Sgemm, true, true, 203, 301, 700, 1.5f, 0.25f, 2, 12);
        Case(CpuSgemm.Sgemm, false, true, 97, 700, 300, 1f, 1f, 0, 13);
    }

    [Fact]
    public void Sgemm_KZero_ScalesC()
    {
        var c = new[] { 1f, 2f, 3f, 4f };
        CpuSgemm.Sgemm(false, false, 2, 2, 0, 1f, [], 0, 1, [], 0, 2, 0.5f, c, 0, 2);
        Assert.Equal(new[] { 0.5f, 1f, 1.5f, 2f }, c);
        var d = Nan(4);
        CpuSgemm.Sgemm(true, true, 2, 2, 0, 1f, [], 0, 2, [], 0, 1, 0f, d, 0, 2);
        Assert.Equal(new float[4], d);
    }

    [Fact]
    public void Sgemm_RejectsBadArguments()
    {
        var x = new float[16];
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => CpuSgemm.Sgemm(false, false, 4, 4, 4, 1f, x, 0, 3, x, 0, 4, 0f, x, 0, 4));
        Assert.Contains("lda", e.Message);
        var f = Assert.Throws<ArgumentException>(() => CpuSgemm.Sgemm(false, false, 4, 4, 4, 1f, x, 1, 4, x, 0, 4, 0f, x, 0, 4));
        Assert.Contains("needs 17 elements", f.Message);
    }

    // ---------------------------------------------------------------------------------------------------
    // ILGPU kernels on ILGPU's CPU accelerator (emulates every thread, so tiny shapes only).

    public static TheoryData<int, int, int, int, bool, bool> KernelCases() => new()
    {
        { 1, 1, 1, 1, false, false },
        { 17, 9, 33, 1, false, false },
        { 17, 9, 33, 1, true, true },
        { 70, 65, 20, 1, false, true },
        { 70, 65, 20, 1, true, false },
        { 20, 70, 17, 2, false, false },
        { 20, 70, 17, 2, true, true },
    };

    private void RunKernel(string kernelName, int m, int n, int k, int batch, bool ta, bool tb, float alpha, float beta, int seed)
    {
        int lda = (ta ? m : k) + 1, ldb = (tb ? k : n) + 2, ldc = n + 3;
        long sa = (long)(ta ? k : m) * lda + 5, sb = (long)(tb ? n : k) * ldb + 7, sc = (long)m * ldc + 1;
        var p = new GemmParams
        {
            M = m, N = n, K = k, Lda = lda, Ldb = ldb, Ldc = ldc,
            StrideA = sa, StrideB = sb, StrideC = sc, OffsetA = 3, OffsetB = 4, OffsetC = 2,
            TransA = ta ? 1 : 0, TransB = tb ? 1 : 0, Alpha = alpha, Beta = beta,
        };
        var a = Random((int)(p.OffsetA + sa * batch), seed);
        var b = Random((int)(p.OffsetB + sb * batch), seed + 1);
        var c0 = beta == 0f ? Nan((int)(p.OffsetC + sc * batch)) : Random((int)(p.OffsetC + sc * batch), seed + 2);
        var expected = (float[])c0.Clone();
        for (int z = 0; z < batch; z++)
            CpuSgemm.SgemmNaive(ta, tb, m, n, k, alpha, a, (int)(p.OffsetA + z * sa), lda, b, (int)(p.OffsetB + z * sb), ldb,
                beta, expected, (int)(p.OffsetC + z * sc), ldc);

        var accelerator = ilgpu.Accelerator;
        using var da = accelerator.Allocate1D(a);
        using var db = accelerator.Allocate1D(b);
        using var dc = accelerator.Allocate1D(c0);
        if (kernelName == "Tiled")
            ilgpu.Tiled(GemmLaunch.Tiled(p, batch), da.View, db.View, dc.View, p);
        else if (kernelName == "Tiled128")
            ilgpu.Tiled128(GemmLaunch.Tiled128(p, batch), da.View, db.View, dc.View, p);
        else
            // Few groups, so the grid-stride loop is exercised too.
            ilgpu.Naive(GemmLaunch.Naive(p, batch, maxGroups: 3), da.View, db.View, dc.View, p, batch);
        accelerator.Synchronize();
        AssertClose(expected, dc.GetAsArray1D(), $"{kernelName} ta={ta} tb={tb} {m}x{n}x{k} batch {batch}");
    }

    [Theory]
    [MemberData(nameof(KernelCases))]
    public void IlgpuNaive_MatchesReference(int m, int n, int k, int batch, bool ta, bool tb)
    {
        RunKernel("Naive", m, n, k, batch, ta, tb, 1f, 0f, m + n + k);
        RunKernel("Naive", m, n, k, batch, ta, tb, 2f, 0.5f, m + n + k + 1);
    }

    [Theory]
    [MemberData(nameof(KernelCases))]
    public void IlgpuTiled_MatchesReference(int m, int n, int k, int batch, bool ta, bool tb)
    {
        RunKernel("Tiled", m, n, k, batch, ta, tb, 1f, 0f, m + n + k);
        RunKernel("Tiled", m, n, k, batch, ta, tb, 2f, 0.5f, m + n + k + 1);
    }

    [Theory]
    [MemberData(nameof(KernelCases))]
    public void IlgpuTiled128_MatchesReference(int m, int n, int k, int batch, bool ta, bool tb)
    {
        RunKernel("Tiled128", m, n, k, batch, ta, tb, 1f, 0f, m + n + k);
        RunKernel("Tiled128", m, n, k, batch, ta, tb, 2f, 0.5f, m + n + k + 1);
    }
}
