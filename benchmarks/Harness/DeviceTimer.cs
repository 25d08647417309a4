using System.Diagnostics;
using NativeGan.Backends.Ilgpu;

namespace NativeGan.Benchmarks.Harness;

/// <summary>
/// Times a batch of calls. On ILGPU devices the time is taken between two profiling markers (CUDA events)
/// recorded on the device stream around the batch, so it is device time, not launch time; the host wall time
/// of the same batch (to the final sync) comes with it and shows launch overhead when it is larger.
/// On Device.Cpu the work is synchronous and both numbers are the same Stopwatch.
/// </summary>
internal abstract class DeviceTimer
{
    public abstract string Description { get; }

    /// <summary>Runs <paramref name="call"/> <paramref name="reps"/> times; returns seconds for the whole batch.</summary>
    public abstract (double DeviceSeconds, double WallSeconds) Time(Action call, int reps);

    public static DeviceTimer For(Device device) =>
        device.Backend is IlgpuBackend ilgpu ? new EventTimer(device, ilgpu) : new WallTimer(device);

    private sealed class EventTimer(Device device, IlgpuBackend backend) : DeviceTimer
    {
        public override string Description => "device events (ILGPU profiling markers on the device stream)";

        public override (double, double) Time(Action call, int reps)
        {
            device.Synchronize();
            var stream = backend.Stream;
            var wall = Stopwatch.StartNew();
            using var start = stream.AddProfilingMarker();
            for (int i = 0; i < reps; i++) call();
            using var end = stream.AddProfilingMarker();
            end.Synchronize();
            wall.Stop();
            return (end.MeasureFrom(start).TotalSeconds, wall.Elapsed.TotalSeconds);
        }
    }

    private sealed class WallTimer(Device device) : DeviceTimer
    {
        public override string Description => "Stopwatch (the CPU backend runs synchronously)";

        public override (double, double) Time(Action call, int reps)
        {
            device.Synchronize();
            var wall = Stopwatch.StartNew();
            for (int i = 0; i < reps; i++) call();
            device.Synchronize();
            wall.Stop();
            return (wall.Elapsed.TotalSeconds, wall.Elapsed.TotalSeconds);
        }
    }
}
