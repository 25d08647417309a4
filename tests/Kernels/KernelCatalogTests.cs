using System.Reflection;
using ILGPU;
using ILGPU.Runtime;
using ILGPU.Runtime.CPU;
using NativeGan.Kernels.Elementwise;
using NativeGan.Backends.Ilgpu;

namespace NativeGan.Tests.Kernels;

/// <summary>The catalog is the one list of kernels, and loading through it is lazy and fails with a named error.</summary>
public class KernelCatalogTests
{
    /// <summary>
    /// Every kernel entry point of the kernels assembly (a public static void method taking an ArrayView) is in the
    /// catalog, so the PTX and ptxas tests, which iterate the catalog, see every kernel a backend could launch.
    /// </summary>
    [Fact]
    public void EveryKernelOfTheKernelsAssemblyIsInTheCatalog()
    {
        var assembly = typeof(NativeGan.Kernels.Gemm.GemmKernels).Assembly;
        var entryPoints = assembly.GetTypes()
            .SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.Static | BindingFlags.DeclaredOnly))
            .Where(m => m.ReturnType == typeof(void) && m.GetParameters().Any(p =>
                p.ParameterType.IsGenericType && p.ParameterType.GetGenericTypeDefinition() == typeof(ArrayView<>)))
            .Select(m => $"{m.DeclaringType!.Name}.{m.Name}")
            .ToHashSet();
        var catalog = KernelCatalog.All.Select(k => k.Name).ToHashSet();
        Assert.Empty(entryPoints.Except(catalog));
        Assert.Empty(catalog.Except(entryPoints));
        Assert.Equal(33, catalog.Count);
        Assert.Equal(KernelCatalog.All.Count, KernelCatalog.All.Select(k => k.Index).Distinct().Count());
    }

    [Fact]
    public void EntriesHaveFamiliesAndGroupSizes()
    {
        string[] families = ["elementwise", "reduction", "random", "embedding", "conv", "gemm", "optim", "pool", "resample"];
        foreach (var k in KernelCatalog.All)
        {
            Assert.Contains(k.Family, families);
            Assert.InRange(k.GroupSize, 32, 1024);
        }
        Assert.Same(KernelCatalog.GemmTiled128, KernelCatalog.Find("gemmkernels.tiled128"));
        Assert.Null(KernelCatalog.Find("GemmKernels.Nope"));
    }

    [Fact]
    public void ALauncherTypeThatDoesNotFitItsKernelIsRefused()
    {
        var e = Assert.Throws<ArgumentException>(() =>
            new KernelDef<Action<AcceleratorStream, KernelConfig, ArrayView<float>, float>>("test", BadKernels.FillWithInt));
        Assert.Contains("BadKernels.FillWithInt", e.Message);
        Assert.Contains("Int32", e.Message);
    }

    /// <summary>Creating a backend loads nothing: a kernel that cannot compile must not take the device down.</summary>
    [Fact]
    public void BackendCreationLoadsNoKernelAndLoadsOnFirstUse()
    {
        using var context = IlgpuContextFactory.Create();
        using var accelerator = context.CreateCPUAccelerator(0);
        var kernels = new IlgpuKernels(accelerator, "test accelerator");
        Assert.Equal(0, kernels.LoadedCount);
        var fill = kernels.Get(KernelCatalog.Fill);
        Assert.Equal(1, kernels.LoadedCount);
        Assert.Same(fill, kernels.Get(KernelCatalog.Fill));

        using var buffer = accelerator.Allocate1D<float>(100);
        fill(accelerator.DefaultStream, kernels.For(100), buffer.View, 100, 2.5f);
        accelerator.Synchronize();
        Assert.All(buffer.GetAsArray1D(), v => Assert.Equal(2.5f, v));
    }

    /// <summary>A kernel ILGPU cannot compile fails the op that launches it with the kernel, device and reason named.</summary>
    [Fact]
    public void AKernelThatCannotCompileGivesANamedError()
    {
        using var context = IlgpuContextFactory.Create();
        using var accelerator = context.CreateCPUAccelerator(0);
        var kernels = new IlgpuKernels(accelerator, "ilgpu-cpu (test accelerator)");
        var bad = new KernelDef<Action<AcceleratorStream, KernelConfig, ArrayView<float>, int>>("test", BadKernels.AllocatesAnObject);
        var e = Assert.Throws<KernelLoadException>(() => kernels.Get(bad));
        Assert.Equal("BadKernels.AllocatesAnObject", e.Kernel);
        Assert.Contains("Kernel BadKernels.AllocatesAnObject could not be compiled for ilgpu-cpu (test accelerator): ", e.Message);
        Assert.DoesNotContain("internal compiler error", e.Message[(e.Message.IndexOf(": ", StringComparison.Ordinal) + 2)..]);
        // The accelerator and the other kernels stay usable.
        Assert.NotNull(kernels.Get(KernelCatalog.Fill));
        Assert.Equal(1, kernels.LoadedCount);
    }

    /// <summary>The failure that made PTX errors name the missing intrinsic: MathF.Exp has no PTX lowering without
    /// ILGPU.Algorithms.</summary>
    [Fact]
    public void APtxFailureNamesTheMissingIntrinsic()
    {
        using var compiler = new PtxKernelCompiler();
        var bad = new KernelDef<Action<AcceleratorStream, KernelConfig, ArrayView<float>, int>>("test", BadKernels.UsesMathFExp);
        var result = compiler.Compile(bad, "sm_86");
        Assert.False(result.Succeeded);
        Assert.Contains("ExpF", result.Error);
        Assert.Contains("NotSupportedIntrinsicException", result.Error);
    }
}

/// <summary>Kernels that must not compile (or must not fit a launcher), for the error paths above.</summary>
public static class BadKernels
{
    public static void FillWithInt(ArrayView<float> y, int value)
    {
        for (int i = Grid.GlobalIndex.X; i < y.IntLength; i += GridExtensions.GridStrideLoopStride) y[i] = value;
    }

    public static void AllocatesAnObject(ArrayView<float> y, int n)
    {
        var box = new List<float> { n };
        y[0] = box[0];
    }

    public static void UsesMathFExp(ArrayView<float> y, int n)
    {
        for (int i = Grid.GlobalIndex.X; i < n; i += GridExtensions.GridStrideLoopStride) y[i] = MathF.Exp(y[i]);
    }
}
