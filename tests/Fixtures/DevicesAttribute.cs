using System.Reflection;
using Xunit.Sdk;
using Xunit.v3;

namespace NativeGan.Tests.Fixtures;

/// <summary>
/// Runs a theory once per device name (<c>cpu</c>, <c>ilgpu-cpu</c>, <c>cuda</c> by default; the method takes the
/// name as a string, <see cref="Device.Parse"/> turns it into a device). The <c>cuda</c> row carries
/// <c>Category=Cuda</c> itself, so <c>dotnet test --filter Category=Cuda</c> on a GPU machine runs every CUDA case
/// and nothing else, and it is skipped with the reason where no CUDA device exists.
/// </summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false)]
public sealed class DevicesAttribute : DataAttribute
{
    public const string CudaCategory = "Cuda";

    private readonly string[] names;

    public DevicesAttribute(params string[] names)
    {
        this.names = names.Length > 0 ? names : new[] { "cpu", "ilgpu-cpu", "cuda" };
    }

    public override ValueTask<IReadOnlyCollection<ITheoryDataRow>> GetData(MethodInfo testMethod, DisposalTracker disposalTracker)
    {
        var rows = new List<ITheoryDataRow>();
        foreach (var name in names)
        {
            var row = new TheoryDataRow<string>(name);
            if (name.StartsWith("cuda", StringComparison.Ordinal))
            {
                row.Traits["Category"] = new HashSet<string> { CudaCategory };
                if (!Device.CudaAvailable) row.Skip = "no CUDA device on this machine";
            }
            rows.Add(row);
        }
        return new ValueTask<IReadOnlyCollection<ITheoryDataRow>>(rows);
    }

    public override bool SupportsDiscoveryEnumeration() => true;
}
