namespace NativeGan.Backends.Cpu;

/// <summary>Splits element ranges across the cores only when the work is large enough to pay for it.</summary>
internal static class CpuParallel
{
    /// <summary>Below this many elements a single thread is faster than waking the others.</summary>
    public const int MinParallelElements = 1 << 15;

    public static readonly int Workers = Environment.ProcessorCount;

    /// <summary>Runs body(start, end) over [0, n) in contiguous chunks.</summary>
    public static void For(int n, Action<int, int> body, int minChunk = MinParallelElements)
    {
        if (n <= minChunk || Workers == 1)
        {
            body(0, n);
            return;
        }
        int chunks = Math.Min(Workers, (n + minChunk - 1) / minChunk);
        int size = (n + chunks - 1) / chunks;
        Parallel.For(0, chunks, c =>
        {
            int start = c * size;
            int end = Math.Min(n, start + size);
            if (start < end) body(start, end);
        });
    }
}
