using MuonSharp.Lab.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace MuonSharp.Lab.Experiments.RandomFeatures;

/// <summary>The feature map A = φ(X) of the regression.</summary>
public enum FeatureMap
{
    /// <summary>A = ReLU(W₁X) (004 §6): nonnegative features with a large common mean, hence low stable rank.</summary>
    Relu,
    /// <summary>
    /// A = (W₁X) ⊙ SiLU(W₂X) with W₂ independent of W₁ (SwiGLU, Shazeer 2020): the gated map 004 names as
    /// the counter-example (§9.1 "gated activations that may increase stable rank"). The product of an
    /// independent zero-mean factor removes the common mean that makes ReLU features degenerate.
    /// </summary>
    Swiglu,
}

/// <summary>Dimensions of one problem: W ∈ R^{m×d}, W₁ (and W₂) ∈ R^{d×d₀}, X ∈ R^{d₀×n}.</summary>
/// <param name="Outputs">m, rows of W and Y.</param>
/// <param name="Features">d, rows of A.</param>
/// <param name="Inputs">d₀, rows of X.</param>
/// <param name="Samples">n, columns of X, A, Y.</param>
internal readonly record struct ProblemSize(int Outputs, int Features, int Inputs, int Samples)
{
    /// <summary>Every dimension multiplied by <paramref name="scale"/> and rounded (004 §7: all dimensions grow together).</summary>
    public ProblemSize Scaled(double scale) => new(Round(Outputs, scale), Round(Features, scale), Round(Inputs, scale), Round(Samples, scale));

    private static int Round(int value, double scale) => Math.Max(1, (int)Math.Round(value * scale, MidpointRounding.AwayFromZero));

    /// <inheritdoc />
    public override string ToString() => $"m={Outputs} d={Features} d0={Inputs} n={Samples}";
}

/// <summary>
/// Random-feature regression (004 §3.1, §6.1): L(W) = (1/2n)‖WA − Y‖²_F with fixed features A and a
/// realizable target Y = W♯A. Everything is float64 (the step sizes divide by squared norms).
/// </summary>
internal sealed class RandomFeatureProblem : IDisposable
{
    private RandomFeatureProblem(Tensor features, Tensor targets)
    {
        Features = features;
        Targets = targets;
        Samples = features.shape[1];
        var singular = Spectral.SingularValues(features);
        FeatureOperatorSquared = singular[0] * singular[0];
        FeatureFrobeniusSquared = singular.Sum(s => s * s);
        using var scope = NewDisposeScope();
        using var s = new HeldScalars();
        InitialLoss = targets.pow(s[2]).sum().item<double>() / (2.0 * Samples); // L(0) = ‖Y‖²_F / 2n
    }

    /// <summary>A, <c>[d, n]</c>.</summary>
    public Tensor Features { get; }

    /// <summary>Y = W♯A, <c>[m, n]</c>.</summary>
    public Tensor Targets { get; }

    /// <summary>n.</summary>
    public long Samples { get; }

    /// <summary>‖A‖²_op.</summary>
    public double FeatureOperatorSquared { get; }

    /// <summary>‖A‖²_F.</summary>
    public double FeatureFrobeniusSquared { get; }

    /// <summary>st(A) = ‖A‖²_F / ‖A‖²_op; constant during training (A does not move).</summary>
    public double FeatureStableRank => FeatureFrobeniusSquared / FeatureOperatorSquared;

    /// <summary>L(0) = ‖Y‖²_F / 2n, the loss every run starts from.</summary>
    public double InitialLoss { get; }

    /// <summary>
    /// Draws a problem from <paramref name="seed"/>: X with iid N(0, 1) entries; W₁ (and W₂) with
    /// N(0, 1/d₀) entries so pre-activations are about N(0, 1); W♯ with N(0, 1/d) entries. The scale of
    /// W♯ does not matter: both step rules are linear in G, so trajectories scale with Y and the
    /// relative loss does not change. Each comes from its own stream of the seed (<c>inputs</c>,
    /// <c>features</c>, <c>teacher</c>, <c>gate</c>), so the ReLU and SwiGLU problems of one seed share X, W₁ and W♯.
    /// </summary>
    /// <param name="size">Dimensions.</param>
    /// <param name="map">Feature map.</param>
    /// <param name="seed">The run's seed.</param>
    public static RandomFeatureProblem Create(ProblemSize size, FeatureMap map, int seed)
    {
        using var inputs = SeedStreams.Generator(seed, "inputs");
        using var features1 = SeedStreams.Generator(seed, "features");
        using var teacher = SeedStreams.Generator(seed, "teacher");
        using var gate = SeedStreams.Generator(seed, "gate");
        using var scope = NewDisposeScope();
        using var s = new HeldScalars();
        var x = randn(size.Inputs, size.Samples, ScalarType.Float64, generator: inputs);                                   // [d₀, n]
        var w1 = randn(size.Features, size.Inputs, ScalarType.Float64, generator: features1).div(s[Math.Sqrt(size.Inputs)]);    // [d, d₀]
        var wStar = randn(size.Outputs, size.Features, ScalarType.Float64, generator: teacher).div(s[Math.Sqrt(size.Features)]); // [m, d]
        var features = map switch
        {
            FeatureMap.Relu => FeatureMaps.Relu(w1, x),
            FeatureMap.Swiglu => FeatureMaps.Swiglu(w1, randn(size.Features, size.Inputs, ScalarType.Float64, generator: gate).div(s[Math.Sqrt(size.Inputs)]), x),
            _ => throw new ArgumentOutOfRangeException(nameof(map), map, "Unknown feature map."),
        };
        var targets = wStar.matmul(features);                                                                                // [m, n]
        return new RandomFeatureProblem(features.MoveToOuterDisposeScope(), targets.MoveToOuterDisposeScope());
    }

    /// <summary>Wraps given features and targets (tests); takes ownership of both.</summary>
    /// <param name="features">A, <c>[d, n]</c>, float64.</param>
    /// <param name="targets">Y, <c>[m, n]</c>, float64.</param>
    public static RandomFeatureProblem FromTensors(Tensor features, Tensor targets) => new(features, targets);

    /// <summary>L(W) = (1/2n)‖WA − Y‖²_F.</summary>
    /// <param name="w">W, <c>[m, d]</c>.</param>
    public double Loss(Tensor w)
    {
        using var scope = NewDisposeScope();
        using var s = new HeldScalars();
        return w.matmul(Features).sub_(Targets).pow(s[2]).sum().item<double>() / (2.0 * Samples);
    }

    /// <summary>Loss and gradient G = (1/n)(WA − Y)Aᵀ, <c>[m, d]</c> (the caller disposes G).</summary>
    /// <param name="w">W, <c>[m, d]</c>.</param>
    public (double Loss, Tensor Gradient) Evaluate(Tensor w)
    {
        using var scope = NewDisposeScope();
        using var s = new HeldScalars();
        var residual = w.matmul(Features).sub_(Targets);                 // [m, n]
        double loss = residual.pow(s[2]).sum().item<double>() / (2.0 * Samples);
        var gradient = residual.matmul(Features.t()).div_(s[Samples]);   // [m, d]
        return (loss, gradient.MoveToOuterDisposeScope());
    }

    /// <inheritdoc />
    public void Dispose()
    {
        Features.Dispose();
        Targets.Dispose();
    }
}

/// <summary>The feature maps, as pure functions of the weights and inputs.</summary>
internal static class FeatureMaps
{
    /// <summary>ReLU(W₁X), <c>[d, n]</c>.</summary>
    /// <param name="w1">W₁, <c>[d, d₀]</c>.</param>
    /// <param name="x">X, <c>[d₀, n]</c>.</param>
    public static Tensor Relu(Tensor w1, Tensor x) => w1.matmul(x).relu();

    /// <summary>(W₁X) ⊙ SiLU(W₂X), <c>[d, n]</c>, SiLU(t) = t·sigmoid(t).</summary>
    /// <param name="w1">W₁, <c>[d, d₀]</c> (the linear branch).</param>
    /// <param name="w2">W₂, <c>[d, d₀]</c> (the gate).</param>
    /// <param name="x">X, <c>[d₀, n]</c>.</param>
    public static Tensor Swiglu(Tensor w1, Tensor w2, Tensor x)
    {
        using var scope = NewDisposeScope();
        return w1.matmul(x).mul_(nn.functional.silu(w2.matmul(x))).MoveToOuterDisposeScope();
    }
}
