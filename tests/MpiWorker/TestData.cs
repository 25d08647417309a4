namespace NativeGan.MpiWorker;

/// <summary>Reproducible inputs that the workers and the tests both compute from a seed.</summary>
public static class TestData
{
    public static float[] Uniform(int seed, int count)
    {
        var random = new Random(seed);
        var values = new float[count];
        for (int i = 0; i < count; i++) values[i] = random.NextSingle() * 2f - 1f;
        return values;
    }

    public static void Write(string directory, string name, int rank, ReadOnlySpan<float> values)
    {
        string path = Path.Combine(directory, $"{name}.rank{rank}.f32");
        string temp = path + ".tmp";
        File.WriteAllBytes(temp, System.Runtime.InteropServices.MemoryMarshal.AsBytes(values).ToArray());
        File.Move(temp, path, overwrite: true);
    }

    public static float[] Read(string directory, string name, int rank)
    {
        string path = Path.Combine(directory, $"{name}.rank{rank}.f32");
        var bytes = File.ReadAllBytes(path);
        return System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(bytes).ToArray();
    }
}
