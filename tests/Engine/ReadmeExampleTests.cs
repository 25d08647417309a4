namespace NativeGan.Tests.Engine;

/// <summary>The README's engine example, as written there, runs and updates the parameter.</summary>
public class ReadmeExampleTests
{
    [Fact]
    public void ReadmeSnippetTrainsOneStep()
    {
        var device = Device.Cpu;
        var w = Tensor.Randn(new[] { 1, 784 }, device, std: 0.02f).RequireGrad();   // a parameter: outside any scope
        var before = w.ToArray();
        using (Tensor.Scope())                          // frees every temporary of the step
        {
            var x = Tensor.Rand(new[] { 32, 784 }, device);
            var loss = Losses.BceWithLogits(Tensor.Linear(x, w), 1f);
            loss.Backward();                             // w.Grad now holds d loss / d w
            using (Tensor.NoGrad()) w.AddInPlace(w.Grad!.Mul(-0.01f));
            w.ZeroGrad();
        }
        Assert.NotEqual(before, w.ToArray());
        w.Dispose();
    }
}
