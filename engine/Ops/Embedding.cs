using NativeGan.Graph;

namespace NativeGan;

/// <summary>Row lookup in a weight table; indices are a float tensor of whole numbers (not differentiable).</summary>
public sealed partial class Tensor
{
    public static Tensor Embedding(Tensor indices, Tensor weight)
    {
        CheckSameDevice("embedding", indices, weight);
        if (weight.Rank != 2)
            throw new ArgumentException($"embedding: weight must be 2-D (num_embeddings, embedding_dim), got {ShapeUtil.Format(weight.ShapeArray)}.");
        var idx = indices.Contiguous();
        CheckIndices(idx, weight.Size(0), "embedding");
        var w = weight.Contiguous();
        int dim = weight.Size(1);
        var shape = new int[indices.Rank + 1];
        Array.Copy(indices.ShapeArray, shape, indices.Rank);
        shape[^1] = dim;
        var y = Empty(shape, weight.Device);
        y.Backend.GatherRows(w.Storage, w.Offset, idx.Storage, idx.Offset, y.Storage, 0, idx.NumEl, dim);
        int rows = weight.Size(0);
        return Node.Record(y, "embedding", weight, g => EmbeddingBackward(g, idx, rows));
    }

    /// <summary>The transpose of the row gather: sums rows of g into their index's row. Its own backward gathers.</summary>
    private static Tensor EmbeddingBackward(Tensor g, Tensor indices, int rows)
    {
        var gc = g.Contiguous();
        int dim = g.Size(-1);
        var y = Empty(new[] { rows, dim }, g.Device);
        y.Backend.ScatterAddRows(gc.Storage, gc.Offset, indices.Storage, indices.Offset, y.Storage, 0, indices.NumEl, rows, dim);
        return Node.Record(y, "embedding_backward", g, gg => Embedding(indices, gg));
    }

    /// <summary>Range check on the host: indices are small and an out-of-range one would read garbage on the GPU.</summary>
    private static void CheckIndices(Tensor indices, int rows, string op)
    {
        var values = indices.ToArray();
        for (int i = 0; i < values.Length; i++)
        {
            float v = values[i];
            if (v < 0 || v >= rows || v != MathF.Floor(v))
                throw new ArgumentOutOfRangeException(nameof(indices), $"{op}: index {v} at position {i} is not a whole number in [0, {rows}).");
        }
    }
}
