using System.Diagnostics;

namespace NativeGan.Profiling;

/// <summary>One backend primitive call: name (the IBackend method), the engine op that issued it, host-clock
/// start and duration in microseconds since the session began, and the work it did where known.</summary>
public sealed record KernelEvent(string Kernel, string Op, double StartUs, double DurUs, double Flops, double Bytes)
{
    public string Op { get; internal set; } = Op;
}

/// <summary>One training phase (g_forward, g_backward, d_step, optimizer...).</summary>
public sealed record PhaseEvent(string Name, double StartUs, double DurUs);

/// <summary>
/// Kernel and phase profiler. Off by default; when off every hook is one static bool check and records nothing.
/// <see cref="Start"/> wraps the device's backend in a decorator that times each primitive: a Stopwatch on the
/// synchronous CPU backend; on an ILGPU backend (CUDA) a profiling marker (CUDA event) is recorded on the stream
/// before and after each launch, with no synchronisation per op, and <see cref="Stop"/> (which synchronises once)
/// turns the markers into device start times and durations.
/// </summary>
public static class Profiler
{
    private static readonly Stopwatch Clock = new();
    private static readonly List<KernelEvent> kernels = new();
    private static readonly List<PhaseEvent> phases = new();
    private static int pendingFrom;
    [ThreadStatic] private static string? currentOp;
    private static Device? device;
    private static int ownerThread;
    private static DeviceEventClock? eventClock;

    /// <summary>True between Start and Stop.</summary>
    public static bool IsEnabled { get; private set; }

    public static IReadOnlyList<KernelEvent> Kernels => kernels;
    public static IReadOnlyList<PhaseEvent> Phases => phases;

    /// <summary>Starts recording the kernels launched on <paramref name="dev"/>; clears earlier events.</summary>
    public static void Start(Device dev)
    {
        if (IsEnabled) throw new InvalidOperationException("Profiler.Start: the profiler is already running; call Stop first.");
        device = dev;
        eventClock = dev.Backend is Backends.Ilgpu.IlgpuBackend ilgpu ? new DeviceEventClock(ilgpu.Stream) : null;
        dev.Backend = new Backends.ProfilingBackend(dev.Backend);
        Clear();
        ownerThread = Environment.CurrentManagedThreadId;
        Clock.Restart();
        eventClock?.Begin(NowUs);
        IsEnabled = true;
    }

    /// <summary>Stops recording and restores the device's own backend; the events stay readable.</summary>
    public static void Stop()
    {
        if (!IsEnabled) return;
        device!.Synchronize();
        AttributePending("(untracked)");
        IsEnabled = false;
        if (eventClock != null)
        {
            eventClock.Resolve(kernels, phases);
            eventClock = null;
        }
        if (device.Backend is Backends.ProfilingBackend p) device.Backend = p.Inner;
        device = null;
    }

    /// <summary>Drops the recorded events (the clock keeps running).</summary>
    public static void Clear()
    {
        kernels.Clear();
        phases.Clear();
        pendingFrom = 0;
    }

    internal static double NowUs => Clock.Elapsed.TotalMicroseconds;

    /// <summary>Whether launches are timed by device events (ILGPU stream markers) rather than the host clock.</summary>
    public static bool UsesDeviceEvents => eventClock != null;

    /// <summary>A stream marker for a kernel or phase boundary (null on the CPU backend or other threads).</summary>
    internal static object? Mark() => eventClock != null && Environment.CurrentManagedThreadId == ownerThread ? eventClock.Mark() : null;

    /// <summary>Records a kernel launched by the thread that started the profiler (other threads' launches on the
    /// same device are forwarded untimed).</summary>
    internal static void AddKernel(string kernel, double startUs, double durUs, double flops, double bytes, object? startMark = null, object? endMark = null)
    {
        if (Environment.CurrentManagedThreadId != ownerThread) return;
        if (startMark != null && endMark != null) eventClock?.Pair(kernels.Count, isPhase: false, startMark, endMark);
        kernels.Add(new KernelEvent(kernel, currentOp ?? "", startUs, durUs, flops, bytes));
    }

    /// <summary>Gives the kernels launched since the last recorded op (those with no op yet) the op's name.
    /// Called by Node.Record, which runs right after an op's forward kernels.</summary>
    internal static void AttributePending(string op)
    {
        if (Environment.CurrentManagedThreadId != ownerThread) return;
        for (int i = pendingFrom; i < kernels.Count; i++)
            if (kernels[i].Op.Length == 0) kernels[i].Op = op;
        pendingFrom = kernels.Count;
    }

    /// <summary>Sets the op that the kernels launched inside the scope belong to (used around backward rules).</summary>
    internal static OpScope Op(string op)
    {
        if (!IsEnabled) return default;
        AttributePending("(untracked)");
        var previous = currentOp;
        currentOp = op;
        return new OpScope(previous, true);
    }

    /// <summary>Scope for a node's backward rule: its kernels are attributed to "OP.backward".</summary>
    internal static OpScope BackwardOf(string op) => IsEnabled && Environment.CurrentManagedThreadId == ownerThread ? Op(op + ".backward") : default;

    internal readonly struct OpScope(string? previous, bool active) : IDisposable
    {
        public void Dispose()
        {
            if (active) currentOp = previous;
        }
    }

    /// <summary>A training phase: <c>using (Profiler.Phase("g_forward")) { ... }</c>. Free when disabled.</summary>
    public static PhaseScope Phase(string name) => IsEnabled && Environment.CurrentManagedThreadId == ownerThread ? new PhaseScope(name, NowUs, Mark()) : default;

    public readonly struct PhaseScope(string? name, double startUs, object? startMark) : IDisposable
    {
        public void Dispose()
        {
            if (name is null || !IsEnabled) return;
            AttributePending("(untracked)");
            if (startMark != null && Mark() is { } endMark) eventClock?.Pair(phases.Count, isPhase: true, startMark, endMark);
            phases.Add(new PhaseEvent(name, startUs, NowUs - startUs));
        }
    }
}
