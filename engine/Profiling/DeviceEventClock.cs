using ILGPU.Runtime;

namespace NativeGan.Profiling;

/// <summary>
/// Device-side timing for the profiler on an ILGPU stream: a profiling marker (a CUDA event on CUDA) is recorded
/// before and after each launch and phase, without synchronising; after the profiler's single final
/// synchronisation the markers are read back as device time relative to the first marker, which is placed at
/// the host time the session began, so kernels and phases share one time line in the trace.
/// </summary>
internal sealed class DeviceEventClock(AcceleratorStream stream)
{
    private readonly List<(int Index, bool IsPhase, ProfilingMarker Start, ProfilingMarker End)> pairs = new();
    private ProfilingMarker? origin;
    private double originUs;

    public void Begin(double hostUs)
    {
        origin = stream.AddProfilingMarker();
        originUs = hostUs;
    }

    public object Mark() => stream.AddProfilingMarker();

    public void Pair(int index, bool isPhase, object start, object end) =>
        pairs.Add((index, isPhase, (ProfilingMarker)start, (ProfilingMarker)end));

    /// <summary>Replaces the host-clock start and duration of every paired event by device time; frees the markers.
    /// Call after the stream was synchronised.</summary>
    public void Resolve(List<KernelEvent> kernels, List<PhaseEvent> phases)
    {
        try
        {
            foreach (var (index, isPhase, start, end) in pairs)
            {
                double startUs = originUs + start.MeasureFrom(origin!).TotalMicroseconds;
                double durUs = Math.Max(0, end.MeasureFrom(start).TotalMicroseconds);
                if (isPhase) phases[index] = phases[index] with { StartUs = startUs, DurUs = durUs };
                else kernels[index] = kernels[index] with { StartUs = startUs, DurUs = durUs };
            }
        }
        finally
        {
            foreach (var (_, _, start, end) in pairs)
            {
                start.Dispose();
                end.Dispose();
            }
            pairs.Clear();
            origin?.Dispose();
        }
    }
}
