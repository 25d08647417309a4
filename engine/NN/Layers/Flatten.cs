namespace NativeGan.NN;

/// <summary>Flattens dims startDim..endDim into one (torch.nn.Flatten, defaults 1 and -1).</summary>
public sealed class Flatten : Module
{
    public Flatten(int startDim = 1, int endDim = -1)
    {
        StartDim = startDim;
        EndDim = endDim;
    }

    public int StartDim { get; }
    public int EndDim { get; }

    public override Tensor Forward(Tensor x)
    {
        if (x.Rank == 0) return x.Reshape(1);
        int s = ShapeUtil.NormalizeDim(StartDim, x.Rank, "flatten"), e = ShapeUtil.NormalizeDim(EndDim, x.Rank, "flatten");
        if (s > e) throw new ArgumentException($"flatten: start_dim {StartDim} comes after end_dim {EndDim} for input {ShapeUtil.Format(x.ShapeArray)}.");
        var shape = new List<int>();
        for (int i = 0; i < s; i++) shape.Add(x.Size(i));
        int merged = 1;
        for (int i = s; i <= e; i++) merged *= x.Size(i);
        shape.Add(merged);
        for (int i = e + 1; i < x.Rank; i++) shape.Add(x.Size(i));
        return x.Reshape(shape.ToArray());
    }

    protected override string ExtraRepr() => $"start_dim={StartDim}, end_dim={EndDim}";
}
