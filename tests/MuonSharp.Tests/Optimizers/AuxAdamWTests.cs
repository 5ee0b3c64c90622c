using MuonSharp.Optimizers;
using TorchSharp;
using TorchSharp.Modules;
using static MuonSharp.Tests.Optimizers.OptimizerTestKit;
using static TorchSharp.torch;

namespace MuonSharp.Tests.Optimizers;

public sealed class AuxAdamWTests
{
    [Theory]
    [InlineData(ScalarType.Float32, 0.0)]
    [InlineData(ScalarType.Float32, 0.1)]
    [InlineData(ScalarType.Float64, 0.1)]
    public void Five_steps_equal_TorchSharps_AdamW_bit_for_bit(ScalarType dtype, double weightDecay)
    {
        // Given a matrix and a vector, when ours and torch.optim.AdamW take the same five steps with
        // the same hyperparameters, then every parameter is identical: the same update in the same order.
        using var scope = NewDisposeScope();
        const double lr = 0.01, beta1 = 0.8, beta2 = 0.95, eps = 1e-10;
        var generator = new Generator(41);
        var starts = new[] { Gaussian(new long[] { 4, 3 }, generator, dtype), Gaussian(new long[] { 5 }, generator, dtype) };
        var (ours, theirs) = (starts.Select(ParameterFrom).ToArray(), starts.Select(ParameterFrom).ToArray());
        var auxAdamW = new AuxAdamW(new[] { new AuxAdamW.ParamGroup(ours) },
            new AuxAdamW.Options { LearningRate = lr, beta1 = beta1, beta2 = beta2, eps = eps, weight_decay = weightDecay });
        var adamW = torch.optim.AdamW(theirs, lr, beta1, beta2, eps, weightDecay);

        for (int step = 0; step < 5; step++)
        {
            for (int k = 0; k < starts.Length; k++)
            {
                var g = Gaussian(starts[k].shape, generator, dtype);
                SetGrad(ours[k], g);
                SetGrad(theirs[k], g);
            }
            auxAdamW.step();
            adamW.step();
        }

        for (int k = 0; k < starts.Length; k++) Assert.True(TensorAssert.Identical(ours[k], theirs[k]), $"parameter {k} differs by {MaxAbsDiff(ours[k], theirs[k])}");
        Assert.Equal(5, auxAdamW.StateOf(ours[0]).step);
    }

    [Fact]
    public void The_hybrid_sends_embeddings_head_and_vectors_to_its_AdamW_half()
    {
        using var scope = NewDisposeScope();
        var named = new[]
        {
            ("emb.weight", new Parameter(zeros(10, 4))), ("hidden.weight", new Parameter(zeros(4, 4))),
            ("hidden.bias", new Parameter(zeros(4))), ("out.weight", new Parameter(zeros(3, 4))),
        };

        using var optimizer = Optim.MuonWithAuxAdamW(named, adamw_lr: 1e-3, adamw_betas: (0.8, 0.9), adamw_eps: 1e-6, adamw_weight_decay: 0.1);

        var group = optimizer.AdamWPart.ParamGroups.Cast<AuxAdamW.ParamGroup>().Single();
        var handles = group.Parameters.Select(p => p.Handle).ToHashSet();
        Assert.Equal(new[] { "emb.weight", "hidden.bias", "out.weight" }, named.Where(n => handles.Contains(n.Item2.Handle)).Select(n => n.Item1));
        Assert.Equal((1e-3, 0.8, 0.9, 1e-6, 0.1), (group.LearningRate, group.Options.beta1!.Value, group.Options.beta2!.Value, group.Options.eps!.Value, group.Options.weight_decay!.Value));
    }
}
