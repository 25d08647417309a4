namespace NativeGan.Models.Data;

/// <summary>
/// A built-in data set for machines without Fashion-MNIST: 28x28 grayscale discs, squares and rings of random size
/// and position, white on black in [-1, 1], label = the shape (0 disc, 1 square, 2 ring). Each sample is a pure
/// function of its index, so runs are reproducible without any file.
/// </summary>
public sealed class ProceduralShapesDataset : IDataset
{
    public const int Size = 28;
    public static readonly string[] ShapeNames = { "disc", "square", "ring" };

    public ProceduralShapesDataset(int count = 6000)
    {
        if (count < 1) throw new ArgumentException($"procedural shapes: count must be at least 1, got {count}.");
        Count = count;
    }

    public int Count { get; }
    public int[] SampleShape => new[] { 1, Size, Size };

    public float ReadSample(int index, Span<float> destination)
    {
        if ((uint)index >= (uint)Count) throw new ArgumentOutOfRangeException(nameof(index), $"procedural shapes: index {index} is outside [0, {Count}).");
        if (destination.Length < Size * Size) throw new ArgumentException($"procedural shapes: the destination holds {destination.Length} floats, a sample needs {Size * Size}.");
        var rng = new System.Random(unchecked(index * 7919 + 17));
        int kind = index % ShapeNames.Length;
        double radius = 5 + rng.NextDouble() * 6;
        double cx = radius + 1 + rng.NextDouble() * (Size - 2 * radius - 2);
        double cy = radius + 1 + rng.NextDouble() * (Size - 2 * radius - 2);
        for (int y = 0; y < Size; y++)
            for (int x = 0; x < Size; x++)
            {
                double dx = x + 0.5 - cx, dy = y + 0.5 - cy;
                // Signed distance to the shape's edge (negative inside), turned into a one-pixel soft edge.
                double d = kind switch
                {
                    0 => Math.Sqrt(dx * dx + dy * dy) - radius,
                    1 => Math.Max(Math.Abs(dx), Math.Abs(dy)) - radius * 0.85,
                    _ => Math.Abs(Math.Sqrt(dx * dx + dy * dy) - radius * 0.75) - radius * 0.25,
                };
                double coverage = Math.Clamp(0.5 - d, 0, 1);
                destination[y * Size + x] = (float)(coverage * 2 - 1);
            }
        return kind;
    }
}
