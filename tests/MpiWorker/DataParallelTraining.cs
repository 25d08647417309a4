using NativeGan.Distributed;
using NativeGan.Models.Data;
using NativeGan.Models.Training;
using NativeGan.NN;
using NativeGan.Optim;

namespace NativeGan.MpiWorker;

/// <summary>What one data-parallel run of the tiny MLP does.</summary>
/// <param name="GlobalBatch">Samples per step over all ranks; each rank takes GlobalBatch / WorldSize.</param>
public sealed record DataParallelOptions(string Optimizer, int Steps, int GlobalBatch, bool Overlap, long BucketBytes);

/// <summary>
/// A tiny MLP regression trained data-parallel: rank-seeded initial weights made equal by BroadcastParameters, a
/// DistributedSampler shard per rank, gradients averaged by the reducer before each step. With one process it is
/// plain training with the full batch, the reference the multi-rank runs must match.
/// </summary>
public static class DataParallelTraining
{
    public const int Samples = 96, Inputs = 8, Hidden = 16, Outputs = 4;

    /// <summary>Trains and returns every parameter's final values, concatenated in the module's order.</summary>
    public static float[] Run(IProcessGroup group, DataParallelOptions options)
    {
        if (options.GlobalBatch % group.WorldSize != 0)
            throw new ArgumentException($"The global batch {options.GlobalBatch} does not split evenly over {group.WorldSize} ranks.");
        int batch = options.GlobalBatch / group.WorldSize;
        var device = Device.Cpu;
        // Different weights on each rank on purpose: BroadcastParameters must make them rank 0's.
        var init = new Generator(42UL + (ulong)group.Rank * 1000UL);
        var model = new Sequential(new Linear(Inputs, Hidden, device: device, generator: init), new Tanh(),
            new Linear(Hidden, Outputs, device: device, generator: init));
        var parameters = model.Parameters().ToList();
        var x = TestData.Uniform(7, Samples * Inputs);
        var y = TestData.Uniform(8, Samples * Outputs);
        using Optimizer optimizer = options.Optimizer switch
        {
            "sgd" => new Sgd(parameters, lr: 0.1f, momentum: 0.9f),
            "adam" => new Adam(parameters, lr: 0.01f),
            _ => throw new ArgumentException($"Unknown optimizer '{options.Optimizer}': expected sgd or adam."),
        };
        using var reducer = new DistributedGradientReducer(group, parameters, options.BucketBytes);
        reducer.BroadcastParameters();
        var sampler = new DistributedSampler(Samples, group, shuffle: true, seed: 3, dropLast: true);
        int stepsPerEpoch = sampler.NumSamples / batch;
        for (int step = 0; step < options.Steps; step++)
        {
            sampler.Epoch = step / stepsPerEpoch;
            var indices = sampler.Indices().AsSpan((step % stepsPerEpoch) * batch, batch);
            var xb = new float[batch * Inputs];
            var yb = new float[batch * Outputs];
            for (int i = 0; i < batch; i++)
            {
                x.AsSpan(indices[i] * Inputs, Inputs).CopyTo(xb.AsSpan(i * Inputs));
                y.AsSpan(indices[i] * Outputs, Outputs).CopyTo(yb.AsSpan(i * Outputs));
            }
            using var scope = Tensor.Scope();
            var prediction = model.Call(Tensor.FromArray(xb, new[] { batch, Inputs }, device));
            var loss = Losses.Mse(prediction, Tensor.FromArray(yb, new[] { batch, Outputs }, device));
            if (options.Overlap)
                using (reducer.OverlapWithBackward()) loss.Backward();
            else
                loss.Backward();
            reducer.ReduceGradients();
            if (options.Overlap && reducer.Buckets.Count > 1 && reducer.BucketsStartedDuringBackward == 0)
                throw new InvalidOperationException("No bucket started during backward although the reducer overlaps it.");
            optimizer.Step();
            optimizer.ZeroGrad();
        }
        return parameters.SelectMany(p => p.ToArray()).ToArray();
    }
}
