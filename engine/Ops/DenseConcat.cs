using NativeGan.Graph;

namespace NativeGan;

/// <summary>
/// The channel-stacked buffer of a densely connected block (RRDB): one [N, C, H, W] allocation that each layer
/// reads a channel prefix of and writes its own channel slice into, instead of concatenating (copying) the
/// growing feature maps before every convolution. Autograd sees exactly cat-then-conv: a prefix is recorded as the
/// concatenation of the segments written so far (its backward narrows the gradient into each segment), and each
/// segment is recorded as the op that wrote it. Every slice is written once, before anything reads it.
/// </summary>
public sealed class DenseConcat : IDisposable
{
    private readonly Tensor buffer;
    private readonly List<(Tensor Segment, int Start, int Channels)> segments = new();

    public DenseConcat(int batch, int channels, int height, int width, Device device)
    {
        if (batch < 1 || channels < 1 || height < 1 || width < 1)
            throw new ArgumentException($"dense_concat: the buffer shape must be positive, got [{batch}, {channels}, {height}, {width}].");
        buffer = Tensor.Empty(new[] { batch, channels, height, width }, device);
    }

    /// <summary>Channels written so far.</summary>
    public int Channels { get; private set; }

    /// <summary>Channels the buffer holds.</summary>
    public int Capacity => buffer.ShapeArray[1];

    /// <summary>Copies x [N, c, H, W] into the next c channels (the block's input goes in this way).</summary>
    public Tensor Append(Tensor x)
    {
        var region = NextRegion(x.ShapeArray, "append");
        Tensor.CopyStrided(x, region);
        var segment = Node.Record(region, "dense_concat_append", x, g => g);
        return Add(segment);
    }

    /// <summary>conv2d(input, weight, bias) written straight into the next Cout channels; returns that slice.</summary>
    public Tensor AppendConv2d(Tensor input, Tensor weight, Tensor? bias = null, int stride = 1, int padding = 0, int dilation = 1, int groups = 1)
    {
        if (weight.Rank != 4)
            throw new ArgumentException($"dense_concat: conv weight must be 4-D, got {ShapeUtil.Format(weight.ShapeArray)}.");
        var shape = buffer.ShapeArray;
        var region = NextRegion(new[] { input.Size(0), weight.Size(0), shape[2], shape[3] }, "conv2d");
        var segment = Tensor.Conv2dInto(input, weight, bias, stride, padding, dilation, groups, region);
        region.Dispose();
        return Add(segment);
    }

    /// <summary>The first <paramref name="channels"/> channels written (all of them by default), as a view with cat's gradient.</summary>
    public Tensor Prefix(int? channels = null)
    {
        int c = channels ?? Channels;
        var parts = new List<(Tensor Segment, int Start, int Channels)>();
        foreach (var s in segments)
        {
            if (s.Start >= c) break;
            if (s.Start + s.Channels > c)
                throw new ArgumentException($"dense_concat: a prefix of {c} channels would split the segment [{s.Start}, {s.Start + s.Channels}).");
            parts.Add(s);
        }
        if (c < 1 || c > Channels || parts.Count == 0 || parts[^1].Start + parts[^1].Channels != c)
            throw new ArgumentOutOfRangeException(nameof(channels), $"dense_concat: a prefix must end at a segment boundary within the {Channels} channels written, got {c}.");
        var shape = (int[])buffer.ShapeArray.Clone();
        shape[1] = c;
        var view = buffer.View(buffer.Offset, shape, (int[])buffer.StridesArray.Clone());
        var inputs = parts.Select(p => p.Segment).ToArray();
        return Node.Record(view, "dense_concat", inputs, g =>
        {
            var grads = new Tensor?[parts.Count];
            for (int i = 0; i < parts.Count; i++)
                if (parts[i].Segment.RequiresGrad) grads[i] = g.Narrow(1, parts[i].Start, parts[i].Channels);
            return grads;
        });
    }

    private Tensor NextRegion(int[] shape, string what)
    {
        var b = buffer.ShapeArray;
        if (shape.Length != 4 || shape[0] != b[0] || shape[2] != b[2] || shape[3] != b[3])
            throw new ArgumentException($"dense_concat: {what} gives {ShapeUtil.Format(shape)}, but the buffer {ShapeUtil.Format(b)} needs [{b[0]}, c, {b[2]}, {b[3]}].");
        if (Channels + shape[1] > b[1])
            throw new ArgumentException($"dense_concat: {what} needs {shape[1]} more channels but only {b[1] - Channels} of {b[1]} are left.");
        return buffer.View(buffer.Offset + Channels * buffer.StridesArray[1], (int[])shape.Clone(), (int[])buffer.StridesArray.Clone());
    }

    private Tensor Add(Tensor segment)
    {
        segments.Add((segment, Channels, segment.ShapeArray[1]));
        Channels += segment.ShapeArray[1];
        return segment;
    }

    public void Dispose() => buffer.Dispose();
}
