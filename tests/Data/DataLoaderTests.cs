using System.Collections.Concurrent;
using System.Diagnostics;
using NativeGan.Models.Data;

namespace NativeGan.Tests.Data;

public sealed class DataLoaderTests
{
    /// <summary>Sample i is [C, H, W] filled with i + k / 1000 (k the element), label i % 10.</summary>
    private sealed class CountingDataset(int count, int c = 1, int h = 2, int w = 3) : IDataset
    {
        public readonly ConcurrentDictionary<int, byte> ReaderThreads = new();
        public Func<int, bool>? Fail;
        public ManualResetEventSlim? Gate;
        public Func<int, bool>? BlockWhen;
        public int Reads, Blocked;

        public int Count => count;
        public int[] SampleShape => new[] { c, h, w };

        public float ReadSample(int index, Span<float> destination)
        {
            ReaderThreads[Environment.CurrentManagedThreadId] = 0;
            if (Gate != null && BlockWhen?.Invoke(index) == true)
            {
                Interlocked.Increment(ref Blocked);
                Gate.Wait();
            }
            Interlocked.Increment(ref Reads);
            if (Fail?.Invoke(index) == true) throw new IOException($"sample {index} is broken");
            for (int k = 0; k < c * h * w; k++) destination[k] = index + k / 1000f;
            return index % 10;
        }
    }

    private static List<int[]> Orders(DataLoader loader, int batches)
    {
        var result = new List<int[]>();
        for (int i = 0; i < batches; i++) result.Add(loader.NextHost().Indices);
        return result;
    }

    [Fact]
    public void SameSeed_SameBatches_DifferentSeed_Differs()
    {
        var ds = new CountingDataset(50);
        using var a = new DataLoader(ds, 8, Device.Cpu, seed: 42);
        using var b = new DataLoader(ds, 8, Device.Cpu, seed: 42, prefetch: 0);
        using var c = new DataLoader(ds, 8, Device.Cpu, seed: 43);
        for (int i = 0; i < 3 * a.BatchesPerEpoch; i++)
        {
            using var x = a.Next();
            using var y = b.Next();
            Assert.Equal(x.Indices, y.Indices);
            Assert.Equal(x.Images.ToArray(), y.Images.ToArray());
            Assert.Equal(x.Labels.ToArray(), y.Labels.ToArray());
            Assert.Equal((x.Epoch, x.Position), (y.Epoch, y.Position));
        }
        Assert.NotEqual(a.EpochOrder(0), c.EpochOrder(0));
        Assert.NotEqual(a.EpochOrder(0), a.EpochOrder(1));
        Assert.Equal(Enumerable.Range(0, 50), new DataLoader(ds, 8, shuffle: false, prefetch: 0).EpochOrder(5));
    }

    [Fact]
    public void EverySampleOncePerEpoch_TensorsHoldTheSamples()
    {
        var ds = new CountingDataset(23, c: 2, h: 2, w: 2);
        using var loader = new DataLoader(ds, 5, Device.Cpu, seed: 7);
        Assert.Equal(5, loader.BatchesPerEpoch);
        for (int epoch = 0; epoch < 3; epoch++)
        {
            Assert.Equal((epoch, 0), (loader.Epoch, loader.Position));
            var seen = new List<int>();
            int batches = 0;
            foreach (var batch in loader.EnumerateEpoch())
            {
                using (batch)
                {
                    Assert.Equal(epoch, batch.Epoch);
                    Assert.Equal(batches++, batch.Position);
                    int n = batch.Count;
                    Assert.Equal(batch.Position < 4 ? 5 : 3, n);
                    Assert.Equal(new[] { n, 2, 2, 2 }, batch.Images.Shape.ToArray());
                    Assert.Equal(new[] { n }, batch.Labels.Shape.ToArray());
                    Assert.Equal(Device.Cpu, batch.Images.Device);
                    var img = batch.Images.ToArray();
                    var lab = batch.Labels.ToArray();
                    for (int i = 0; i < n; i++)
                    {
                        int idx = batch.Indices[i];
                        Assert.Equal(idx % 10, lab[i]);
                        for (int k = 0; k < 8; k++) Assert.Equal(idx + k / 1000f, img[i * 8 + k]);
                    }
                    seen.AddRange(batch.Indices);
                }
            }
            Assert.Equal(5, batches);
            Assert.Equal(Enumerable.Range(0, 23), seen.Order());
            Assert.NotEqual(Enumerable.Range(0, 23), seen);   // shuffled
        }
    }

    [Fact]
    public void DropLast_DropsTheIncompleteBatch()
    {
        var ds = new CountingDataset(10);
        using var keep = new DataLoader(ds, 3, Device.Cpu, seed: 1);
        using var drop = new DataLoader(ds, 3, Device.Cpu, seed: 1, dropLast: true);
        Assert.Equal(4, keep.BatchesPerEpoch);
        Assert.Equal(3, drop.BatchesPerEpoch);
        var k = Orders(keep, 8);
        var d = Orders(drop, 6);
        Assert.Equal(new[] { 3, 3, 3, 1, 3, 3, 3, 1 }, k.Select(o => o.Length));
        Assert.All(d, o => Assert.Equal(3, o.Length));
        // Same permutation; dropLast only leaves out the tail.
        Assert.Equal(k.Take(3).SelectMany(o => o), d.Take(3).SelectMany(o => o));
        Assert.Equal(k.Skip(4).Take(3).SelectMany(o => o), d.Skip(3).Take(3).SelectMany(o => o));
        Assert.Throws<ArgumentException>(() => new DataLoader(new CountingDataset(2), 3, dropLast: true));
    }

    [Fact]
    public void Seek_RecreatesAnyEpochAndPosition()
    {
        var ds = new CountingDataset(17);
        using var full = new DataLoader(ds, 4, Device.Cpu, seed: 9);   // 5 batches / epoch
        var all = Orders(full, 13);
        var states = new List<(int, int)>();
        using var probe = new DataLoader(ds, 4, Device.Cpu, seed: 9, prefetch: 0);
        for (int i = 0; i < 13; i++) { states.Add((probe.Epoch, probe.Position)); probe.NextHost(); }

        foreach (int start in new[] { 0, 3, 5, 7, 11 })
        {
            using var resumed = new DataLoader(ds, 4, Device.Cpu, seed: 9);
            var (e, p) = states[start];
            resumed.Seek(e, p);
            Assert.Equal((e, p), (resumed.Epoch, resumed.Position));
            var rest = Orders(resumed, 13 - start);
            for (int i = start; i < 13; i++) Assert.Equal(all[i], rest[i - start]);
        }

        // Seeking a running loader discards what was prefetched.
        using var moving = new DataLoader(ds, 4, Device.Cpu, seed: 9, prefetch: 3);
        Orders(moving, 2);
        moving.Seek(2, 1);
        Assert.Equal(all[11], moving.NextHost().Indices);
        Assert.Equal((2, 2), (moving.Epoch, moving.Position));
        Assert.Throws<ArgumentException>(() => moving.Seek(0, 6));
    }

    [Fact]
    public void Prefetch_ReadsOnABackgroundThread_BoundedAndStopsOnDispose()
    {
        var ds = new CountingDataset(1000);
        var loader = new DataLoader(ds, 10, Device.Cpu, seed: 5, prefetch: 3);
        using (var b = loader.Next()) Assert.Equal(10, b.Count);
        Assert.DoesNotContain(Environment.CurrentManagedThreadId, ds.ReaderThreads.Keys);
        Assert.True(loader.PrefetchThreadAlive);

        // The queue is bounded: the thread stops after prefetch batches (+ the one it is assembling).
        var sw = Stopwatch.StartNew();
        while (sw.ElapsedMilliseconds < 300) Thread.Sleep(20);
        Assert.InRange(Volatile.Read(ref ds.Reads), 10, 10 * (1 + 3 + 1));

        sw.Restart();
        loader.Dispose();
        Assert.True(sw.ElapsedMilliseconds < 5000, $"Dispose took {sw.ElapsedMilliseconds} ms");
        Assert.False(loader.PrefetchThreadAlive);
        Assert.Throws<ObjectDisposedException>(() => loader.Next());
        loader.Dispose();   // idempotent
    }

    [Fact]
    public void Dispose_WhileTheThreadIsBlockedReadingASample_Stops()
    {
        var gate = new ManualResetEventSlim(false);
        var ds = new CountingDataset(100) { Gate = gate, BlockWhen = i => i >= 8 };
        var loader = new DataLoader(ds, 4, Device.Cpu, shuffle: false, prefetch: 2);
        Assert.Equal(new[] { 0, 1, 2, 3 }, loader.NextHost().Indices);
        var sw = Stopwatch.StartNew();
        while (Volatile.Read(ref ds.Blocked) == 0 && sw.ElapsedMilliseconds < 5000) Thread.Sleep(5);
        Assert.Equal(1, Volatile.Read(ref ds.Blocked));   // the thread is inside ReadSample(8)
        var disposing = Task.Run(loader.Dispose, TestContext.Current.CancellationToken);
        // Blocking waits with timeouts are the point here: they observe that Dispose blocks, then that it returns.
#pragma warning disable xUnit1031
        Assert.False(disposing.Wait(100, TestContext.Current.CancellationToken));   // waits for the batch being read ...
        gate.Set();
        Assert.True(disposing.Wait(5000, TestContext.Current.CancellationToken));   // ... then stops without reading further batches
#pragma warning restore xUnit1031
        Assert.False(loader.PrefetchThreadAlive);
        Assert.InRange(Volatile.Read(ref ds.Reads), 12, 12);
    }

    [Fact]
    public void ReadErrors_ReachTheConsumer_InOrder()
    {
        var ds = new CountingDataset(20) { Fail = i => i == 13 };
        using var loader = new DataLoader(ds, 4, Device.Cpu, shuffle: false, prefetch: 2);
        for (int i = 0; i < 3; i++) loader.NextHost();
        var e = Assert.Throws<InvalidDataException>(() => loader.Next());
        Assert.Contains("sample 13 is broken", e.Message);
        Assert.Equal((0, 3), (loader.Epoch, loader.Position));   // still at the failing batch
        Assert.False(loader.PrefetchThreadAlive);
        ds.Fail = null;
        Assert.Equal(new[] { 12, 13, 14, 15 }, loader.NextHost().Indices);
    }

    [Fact]
    public void Next_InsideAScope_IsDisposedWithIt()
    {
        var ds = new CountingDataset(8);
        using var loader = new DataLoader(ds, 4, Device.Cpu);
        Batch batch;
        using (Tensor.Scope()) batch = loader.Next();
        Assert.True(batch.Images.IsDisposed);
        Assert.True(batch.Labels.IsDisposed);
    }

    [Fact]
    public void IlgpuCpuDevice_GetsTheSameBatches()
    {
        var ds = new CountingDataset(12);
        using var cpu = new DataLoader(ds, 5, Device.Cpu, seed: 11);
        using var ilgpu = new DataLoader(ds, 5, Device.IlgpuCpu, seed: 11);
        for (int i = 0; i < 4; i++)
        {
            using var a = cpu.Next();
            using var b = ilgpu.Next();
            Assert.Equal(Device.IlgpuCpu, b.Images.Device);
            Assert.Equal(a.Images.ToArray(), b.Images.ToArray());
            Assert.Equal(a.Labels.ToArray(), b.Labels.ToArray());
        }
    }
}
