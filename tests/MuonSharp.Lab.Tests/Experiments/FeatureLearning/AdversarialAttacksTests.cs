using MuonSharp.Lab.Experiments.FeatureLearning;
using TorchSharp;
using static TorchSharp.torch;

namespace MuonSharp.Lab.Tests.Experiments.FeatureLearning;

/// <summary>
/// The attacks on a two-class linear model, where the worst L∞ perturbation has a closed form: the margin
/// m = (w_y − w_o)·x + (b_y − b_o) of an input falls by at most ε‖w_y − w_o‖₁, reached at x − ε·sign(w_y − w_o).
/// So the robust accuracy is the fraction of inputs with m &gt; ε‖w_y − w_o‖₁. Inputs lie in [0.3, 0.7] so the
/// [0, 1] box never binds for ε below 0.3.
/// </summary>
public sealed class AdversarialAttacksTests
{
    private const int Dimension = 20, Count = 400;

    private static (Tensor Weight, Tensor Bias, Tensor Inputs, Tensor Labels) Problem(int seed)
    {
        using var generator = new Generator((ulong)seed);
        var weight = randn(2, Dimension, dtype: ScalarType.Float64, generator: generator);
        using var s = new HeldScalars();
        // The decision boundary through the centre of the inputs' cube, so that margins are spread around 0.
        var bias = weight.sum(1).mul_(s[-0.5]);
        var inputs = rand(Count, Dimension, dtype: ScalarType.Float64, generator: generator).mul_(s[0.4]).add_(s[0.3]);
        // Labels mostly what the model says (so that robust accuracy is neither 0 nor 1), some flipped.
        using var logits = nn.functional.linear(inputs, weight, bias);
        using var flip = rand(Count, dtype: ScalarType.Float64, generator: generator).lt(s[0.1]);
        var labels = logits.argmax(1).logical_xor(flip).to_type(ScalarType.Int64);
        return (weight, bias, inputs, labels);
    }

    private static double ClosedFormRobustAccuracy(Tensor weight, Tensor bias, Tensor inputs, Tensor labels, double epsilon)
    {
        var w = weight.data<double>().ToArray();
        var b = bias.data<double>().ToArray();
        var x = inputs.data<double>().ToArray();
        var y = labels.data<long>().ToArray();
        int robust = 0;
        for (int i = 0; i < Count; i++)
        {
            int own = (int)y[i], other = 1 - own;
            double margin = b[own] - b[other], l1 = 0;
            for (int j = 0; j < Dimension; j++)
            {
                double difference = w[own * Dimension + j] - w[other * Dimension + j];
                margin += difference * x[i * Dimension + j];
                l1 += Math.Abs(difference);
            }
            if (margin > epsilon * l1) robust++;
        }
        return (double)robust / Count;
    }

    private static double Accuracy(Tensor weight, Tensor bias, Tensor inputs, Tensor labels)
    {
        using var predictions = nn.functional.linear(inputs, weight, bias).argmax(1);
        using var correct = predictions.eq(labels).to_type(ScalarType.Float64).mean();
        return correct.item<double>();
    }

    [Theory]
    [InlineData(0.005)]
    [InlineData(0.01)]
    [InlineData(0.03)]
    public void Fgsm_and_pgd_reach_the_closed_form_robust_accuracy_of_a_linear_model(double epsilon)
    {
        var (weight, bias, inputs, labels) = Problem(seed: 1);
        Func<Tensor, Tensor> model = x => nn.functional.linear(x, weight, bias);
        double expected = ClosedFormRobustAccuracy(weight, bias, inputs, labels, epsilon);

        using var fgsm = AdversarialAttacks.Fgsm(model, inputs, labels, epsilon);
        using var pgd = AdversarialAttacks.Pgd(model, inputs, labels, epsilon, steps: 10, stepSize: 2.5 * epsilon / 10);

        Assert.InRange(expected, 0.05, 0.95);   // the check can tell a working attack from none
        Assert.Equal(expected, Accuracy(weight, bias, fgsm, labels), 12);
        Assert.Equal(expected, Accuracy(weight, bias, pgd, labels), 12);
        double clean = Accuracy(weight, bias, inputs, labels);
        Assert.True(clean > expected, $"clean {clean}, robust {expected}");
    }

    [Fact]
    public void Pgd_stays_within_the_epsilon_ball_and_the_pixel_box()
    {
        using var generator = new Generator(3);
        var weight = randn(2, Dimension, dtype: ScalarType.Float64, generator: generator);
        var inputs = rand(Count, Dimension, dtype: ScalarType.Float64, generator: generator);   // pixels near 0 and 1: the box binds
        using var labels = zeros(Count, dtype: ScalarType.Int64);

        using var attacked = AdversarialAttacks.Pgd(x => nn.functional.linear(x, weight), inputs, labels, epsilon: 0.1, steps: 7, stepSize: 0.05);

        using var distance = attacked.sub(inputs).abs().max();
        Assert.True(distance.item<double>() <= 0.1 + 1e-12, $"‖δ‖∞ = {distance.item<double>()}");
        Assert.True(attacked.min().item<double>() >= 0 && attacked.max().item<double>() <= 1);
        Assert.True(distance.item<double>() > 0.05);   // it moved
    }

    [Fact]
    public void Bad_attack_settings_are_refused_naming_the_value()
    {
        using var x = zeros(2, 3);
        using var y = zeros(2, dtype: ScalarType.Int64);
        Func<Tensor, Tensor> model = v => v;
        Assert.Contains("-0.1", Assert.Throws<ArgumentOutOfRangeException>(() => AdversarialAttacks.Fgsm(model, x, y, -0.1)).Message);
        Assert.Contains("0", Assert.Throws<ArgumentOutOfRangeException>(() => AdversarialAttacks.Pgd(model, x, y, 0.1, steps: 0, stepSize: 0.01)).Message);
        Assert.Contains("NaN", Assert.Throws<ArgumentOutOfRangeException>(() => AdversarialAttacks.Pgd(model, x, y, 0.1, steps: 2, stepSize: double.NaN)).Message);
    }
}
