using System.Collections;

namespace NativeGan.NN;

/// <summary>Runs its children in order (torch.nn.Sequential); children are named "0", "1", ...</summary>
public sealed class Sequential : Module, IEnumerable<Module>
{
    private readonly List<Module> layers = new();

    public Sequential(params Module[] modules)
    {
        foreach (var m in modules) Add(m);
    }

    public Sequential(IEnumerable<Module> modules)
    {
        foreach (var m in modules) Add(m);
    }

    /// <summary>Appends a module under the next index name. Returns this.</summary>
    public Sequential Add(Module module)
    {
        RegisterModule(layers.Count.ToString(System.Globalization.CultureInfo.InvariantCulture), module);
        layers.Add(module);
        return this;
    }

    public int Count => layers.Count;

    public Module this[int index] =>
        index >= 0 && index < layers.Count ? layers[index]
        : throw new ArgumentOutOfRangeException(nameof(index), $"Sequential: index {index} is out of range for {layers.Count} modules.");

    public override Tensor Forward(Tensor x)
    {
        foreach (var m in layers) x = m.Forward(x);
        return x;
    }

    public IEnumerator<Module> GetEnumerator() => layers.GetEnumerator();
    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
