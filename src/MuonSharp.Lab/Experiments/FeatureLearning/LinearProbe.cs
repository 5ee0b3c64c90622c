using TorchSharp;
using static TorchSharp.torch;

namespace MuonSharp.Lab.Experiments.FeatureLearning;

/// <summary>
/// The linear probe's fixed recipe: multinomial logistic regression on frozen features, standardized with the
/// training features' mean and deviation, from zero weights, full-batch Adam (lr 0.01) with an L2 penalty of
/// 1e-4 on the weights, for a fixed number of steps. A convex problem: the same recipe for every pretrained
/// network, so the probe's accuracy compares the features, not the probes' training.
/// </summary>
public static class LinearProbe
{
    /// <summary>Adam's learning rate (our choice; on standardized features the loss settles within a few hundred steps).</summary>
    public const double LearningRate = 0.01;

    /// <summary>L2 penalty on the weights (our choice; keeps the problem strongly convex when the classes separate).</summary>
    public const double L2 = 1e-4;

    /// <summary>Fits the probe on (<paramref name="trainFeatures"/>, <paramref name="trainLabels"/>) and returns its accuracy on the test features.</summary>
    /// <param name="trainFeatures">Features <c>[n, d]</c> the probe is fitted on.</param>
    /// <param name="trainLabels">Their labels 0 … classes − 1.</param>
    /// <param name="testFeatures">Features <c>[m, d]</c> it is scored on.</param>
    /// <param name="testLabels">Their labels.</param>
    /// <param name="classes">Number of classes.</param>
    /// <param name="steps">Full-batch steps, ≥ 1.</param>
    public static double Accuracy(Tensor trainFeatures, Tensor trainLabels, Tensor testFeatures, Tensor testLabels, int classes, int steps)
    {
        if (steps < 1) throw new ArgumentOutOfRangeException(nameof(steps), steps, "The probe needs at least one step.");
        if (trainFeatures.dim() != 2 || testFeatures.dim() != 2 || trainFeatures.shape[1] != testFeatures.shape[1])
            throw new ArgumentException($"Features must be [n, d] matrices of the same width; got [{string.Join(", ", trainFeatures.shape)}] and [{string.Join(", ", testFeatures.shape)}].", nameof(testFeatures));
        using var scope = NewDisposeScope();
        using var s = new HeldScalars();
        var train = trainFeatures.to_type(ScalarType.Float32);
        var mean = train.mean(new long[] { 0 }, keepdim: true);
        var deviation = train.std(0, keepdim: true).add_(s[1e-6]);
        var x = train.sub(mean).div_(deviation);
        var weight = nn.Parameter(zeros(classes, train.shape[1]));
        var bias = nn.Parameter(zeros(classes));
        using var adam = optim.Adam(new[] { weight, bias }, LearningRate);
        for (int step = 0; step < steps; step++)
        {
            using var stepScope = NewDisposeScope();
            adam.zero_grad();
            var loss = nn.functional.cross_entropy(nn.functional.linear(x, weight, bias), trainLabels)
                .add(weight.square().sum().mul_(s[L2 / 2]));
            loss.backward();
            adam.step();
        }
        using var noGrad = no_grad();
        var test = testFeatures.to_type(ScalarType.Float32).sub(mean).div_(deviation);
        return nn.functional.linear(test, weight, bias).argmax(1).eq(testLabels).to_type(ScalarType.Float64).mean().ToDouble();
    }
}
