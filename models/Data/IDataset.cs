namespace NativeGan.Models.Data;

/// <summary>
/// A finite, indexable set of (image, label) samples that all share one shape [C, H, W].
/// <see cref="ReadSample"/> may be called from a background thread (the <see cref="DataLoader"/>'s prefetch
/// thread), so implementations must be safe to read from one thread other than the one that built them.
/// </summary>
public interface IDataset
{
    /// <summary>Number of samples.</summary>
    int Count { get; }

    /// <summary>Shape of one sample, [C, H, W].</summary>
    int[] SampleShape { get; }

    /// <summary>Writes sample <paramref name="index"/> (C*H*W floats, CHW order) into
    /// <paramref name="destination"/> and returns its label.</summary>
    float ReadSample(int index, Span<float> destination);
}
