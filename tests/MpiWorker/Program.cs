using System.Diagnostics;
using System.Globalization;
using NativeGan;
using NativeGan.Distributed;
using NativeGan.MpiWorker;

// One rank of a distributed test: mpirun starts it once per rank. Usage:
//   collectives DIR | train DIR sgd|adam STEPS GLOBAL_BATCH BUCKET_BYTES overlap|blocking | die | bandwidth FLOATS... | describe
// Results go to files in DIR for the test to check; errors are one line naming the rank, exit code 1.
int rank = -1;
try
{
    if (args.Length == 0) throw new ArgumentException("expected a mode: collectives, train, die, bandwidth or describe");
    if (args[0] == "describe")
    {
        var d = ProcessGroup.Describe();
        Console.WriteLine($"mpi: {(d.MpiAvailable ? $"{d.MpiVersion} (MPI {d.MpiStandard})" : d.MpiError)}");
        Console.WriteLine($"nccl: {(d.NcclAvailable ? d.NcclVersion : d.NcclError)}");
        Console.WriteLine($"launch: {d.Launch}");
        return 0;
    }
    using var group = ProcessGroup.Create(message =>
    {
        Console.Error.WriteLine($"mpi-worker: {message}");
        Console.Error.Flush();
    });
    rank = group.Rank;
    switch (args[0])
    {
        case "collectives": Collectives(group, args[1]); break;
        case "train":
            var options = new DataParallelOptions(args[2], Int(args[3]), Int(args[4]), args[6] == "overlap", long.Parse(args[5], CultureInfo.InvariantCulture));
            TestData.Write(args[1], $"train-{args[2]}-{args[6]}", group.Rank, DataParallelTraining.Run(group, options));
            break;
        case "die": Die(group); break;
        case "bandwidth": Bandwidth(group, args.Skip(1).Select(Int).ToArray()); break;
        default: throw new ArgumentException($"unknown mode '{args[0]}'");
    }
    return 0;
}
catch (Exception e)
{
    Console.Error.WriteLine($"mpi-worker rank {rank}: {e.GetType().Name}: {e.Message}");
    return 1;
}

static int Int(string s) => int.Parse(s, CultureInfo.InvariantCulture);

static void Collectives(IProcessGroup g, string dir)
{
    int r = g.Rank;
    // Open MPI installs signal handlers at MPI_Init; .NET turns SIGSEGV into NullReferenceException, which must survive.
    try { object? nothing = null; _ = nothing!.GetHashCode(); }
    catch (NullReferenceException) { TestData.Write(dir, "null-reference-caught", r, new[] { 1f }); }
    var sum = TestData.Uniform(1000 + r, 1_000_003);
    g.AllReduce(sum, ReduceOp.Sum);
    TestData.Write(dir, "allreduce-sum", r, sum);

    var max = TestData.Uniform(2000 + r, 257);
    g.AllReduce(max, ReduceOp.Max);
    TestData.Write(dir, "allreduce-max", r, max);

    using (var t = Tensor.FromArray(TestData.Uniform(3000 + r, 3 * 5 * 7), new[] { 3, 5, 7 }, Device.Cpu))
    {
        g.AllReduce(t, ReduceOp.Average);
        TestData.Write(dir, "allreduce-average-tensor", r, t.ToArray());
    }

    using (var big = Tensor.FromArray(TestData.Uniform(4000 + r, 1 << 20), new[] { 1 << 20 }, Device.Cpu))
    using (var small = Tensor.FromArray(TestData.Uniform(5000 + r, 4097), new[] { 4097 }, Device.Cpu))
    {
        var first = g.AllReduceAsync(big, ReduceOp.Sum);
        var second = g.AllReduceAsync(small, ReduceOp.Sum);
        second.Wait();
        first.Wait();
        if (!first.IsCompleted || !second.IsCompleted) throw new InvalidOperationException("a waited all-reduce says it is not complete");
        TestData.Write(dir, "allreduce-async-big", r, big.ToArray());
        TestData.Write(dir, "allreduce-async-small", r, small.ToArray());
    }

    var fromLast = TestData.Uniform(6000 + r, 333);
    g.Broadcast(fromLast, root: g.WorldSize - 1);
    TestData.Write(dir, "broadcast-span", r, fromLast);

    using (var t = Tensor.FromArray(TestData.Uniform(7000 + r, 2 * 3), new[] { 2, 3 }, Device.Cpu))
    {
        g.Broadcast(t, root: 0);
        TestData.Write(dir, "broadcast-tensor", r, t.ToArray());
    }

    using (var t = Tensor.FromArray(TestData.Uniform(8000 + r, 1000), new[] { 1000 }, Device.IlgpuCpu))
    {
        g.AllReduce(t, ReduceOp.Sum);
        TestData.Write(dir, "allreduce-ilgpu-cpu", r, t.ToArray());
    }

    var gathered = g.AllGather(10L * r + 7);
    TestData.Write(dir, "allgather", r, gathered.Select(v => (float)v).ToArray());

    // Barrier: rank 0 arrives late; no rank may leave before it arrived.
    if (r == 0) Thread.Sleep(1500);
    long arrived = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
    g.Barrier();
    long left = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
    // Milliseconds since 1970 do not fit a float's 24 bits: millions and the rest apart.
    TestData.Write(dir, "barrier", r, new float[] { arrived / 1_000_000, arrived % 1_000_000, left / 1_000_000, left % 1_000_000 });
}

static void Die(IProcessGroup g)
{
    var one = new float[1];
    g.AllReduce(one);
    Console.Error.WriteLine($"mpi-worker rank {g.Rank}: first all-reduce done");
    if (g.Rank == g.WorldSize - 1)
    {
        Process.GetCurrentProcess().Kill();   // SIGKILL: no goodbye to the other ranks
        Thread.Sleep(Timeout.Infinite);
    }
    var until = Stopwatch.StartNew();
    while (until.Elapsed < TimeSpan.FromSeconds(60)) g.AllReduce(one);
    throw new TimeoutException($"rank {g.Rank} kept reducing for 60 s after the last rank died");
}

static void Bandwidth(IProcessGroup g, int[] sizes)
{
    foreach (int floats in sizes)
    {
        var buffer = TestData.Uniform(g.Rank, floats);
        for (int i = 0; i < 3; i++) g.AllReduce(buffer);
        g.Barrier();
        int iterations = Math.Max(5, (int)Math.Min(200, 256L * 1024 * 1024 / ((long)floats * 4)));
        var clock = Stopwatch.StartNew();
        for (int i = 0; i < iterations; i++) g.AllReduce(buffer);
        double seconds = clock.Elapsed.TotalSeconds / iterations;
        double bytes = floats * 4.0;
        double algorithmic = bytes / seconds / 1e9;
        double bus = algorithmic * 2.0 * (g.WorldSize - 1) / g.WorldSize;
        if (g.Rank == 0)
            Console.WriteLine(FormattableString.Invariant($"allreduce {bytes / (1 << 20):F0} MiB x{g.WorldSize} ranks: {seconds * 1e3:F3} ms, algbw {algorithmic:F2} GB/s, busbw {bus:F2} GB/s ({iterations} iterations)"));
    }
}
