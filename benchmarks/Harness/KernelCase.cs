namespace NativeGan.Benchmarks.Harness;

/// <summary>The outcome of comparing one device result with the CPU reference.</summary>
internal readonly record struct Validation(bool Ok, double MaxError, string Detail);

/// <summary>
/// One timed kernel: inputs made on the device, one call checked against a plain host reference, then timed.
/// Work is the bytes moved (reads + writes) for bandwidth-bound cases or the FLOPs for GEMM.
/// </summary>
internal abstract class KernelCase : IDisposable
{
    /// <summary>Stable name, the key into the PyTorch baseline file (e.g. add_16M, gemm_4096).</summary>
    public abstract string Name { get; }
    public abstract string Shape { get; }
    /// <summary>Cases of one family (add, gemm, ...) scale alike: a slow small one predicts a slower big one.</summary>
    public string Family => Name[..Name.IndexOf('_')];
    /// <summary>The work a call does, in the unit of its measure (bytes or FLOPs).</summary>
    public double Work => Flops > 0 ? Flops : Bytes;
    /// <summary>Bytes read + written per call; 0 where FLOPs are the measure.</summary>
    public virtual double Bytes => 0;
    /// <summary>Floating-point operations per call; 0 where bytes are the measure.</summary>
    public virtual double Flops => 0;
    /// <summary>
    /// True for cases that time a backward pass: the harness then runs them with graph recording on
    /// (every other case runs under Tensor.NoGrad(), so that no graph is built).
    /// </summary>
    public virtual bool RecordsGraph => false;

    public abstract void Setup(Device device);
    /// <summary>Runs one call and compares it with a host reference computed in double precision.</summary>
    public abstract Validation Validate();
    /// <summary>One call; its result is disposed at once so the pool reuses the buffer.</summary>
    public abstract void Call();
    public abstract void Dispose();

    /// <summary>Sizes as the case names write them: 64K, 16M.</summary>
    public static string SizeLabel(long n) =>
        n % (1 << 20) == 0 ? $"{n >> 20}M" : n % (1 << 10) == 0 ? $"{n >> 10}K" : n.ToString();
}
