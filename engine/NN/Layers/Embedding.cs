
namespace NativeGan.NN;

/// <summary>A lookup table (torch.nn.Embedding): indices (float-coded integers) to rows of weight [num, dim], init N(0, 1).</summary>
public sealed class Embedding : Module
{
    public Embedding(int numEmbeddings, int embeddingDim, Device? device = null, Generator? generator = null)
    {
        if (numEmbeddings <= 0 || embeddingDim <= 0)
            throw new ArgumentException($"Embedding: sizes must be positive, got num_embeddings={numEmbeddings}, embedding_dim={embeddingDim}.");
        NumEmbeddings = numEmbeddings;
        EmbeddingDim = embeddingDim;
        RegisterParameter("weight", Tensor.Randn(new[] { numEmbeddings, embeddingDim }, device, generator).DetachFromScope());
    }

    public int NumEmbeddings { get; }
    public int EmbeddingDim { get; }
    public Tensor Weight => Param("weight")!;

    public override Tensor Forward(Tensor indices) => Tensor.Embedding(indices, Weight);

    protected override string ExtraRepr() => $"{NumEmbeddings}, {EmbeddingDim}";
}
