
namespace NativeGan.Tests.Engine;

public class HostCopyTests
{
    /// <summary>
    /// Regression: copies to and from ILGPU devices once went through an unpinned managed array, and a garbage
    /// collection during the copy left the result all zeros now and then. Many round trips with forced GCs.
    /// </summary>
    [Fact]
    public void RoundTripsSurviveGarbageCollection()
    {
        var expected = Tensor.Rand(new[] { 3, 1000 }, Device.Cpu, new Generator(42));
        var want = expected.ToArray();
        expected.Dispose();
        for (int it = 0; it < 100; it++)
        {
            using var t = Tensor.Rand(new[] { 3, 1000 }, Device.IlgpuCpu, new Generator(42));
            if (it % 10 == 0) GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
            var got = t.ToArray();
            Assert.True(want.AsSpan().SequenceEqual(got), $"round trip {it} differs");
            using var back = Tensor.FromArray(got, new[] { 3, 1000 }, Device.IlgpuCpu);
            Assert.True(want.AsSpan().SequenceEqual(back.ToArray()), $"upload {it} differs");
        }
    }
}
