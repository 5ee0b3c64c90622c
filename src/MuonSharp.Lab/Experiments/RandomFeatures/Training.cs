using MuonSharp.Lab.Runs;
using static TorchSharp.torch;

namespace MuonSharp.Lab.Experiments.RandomFeatures;

/// <summary>One optimizer's run on one problem.</summary>
/// <param name="Optimizer"><c>gd</c> or <c>spectral-gd</c>.</param>
/// <param name="RelativeLoss">L(W_k)/L(W_0) for k = 0 … last step taken.</param>
/// <param name="NuclearRank">nr(G_k) at the same iterates (NaN where diagnostics were off).</param>
/// <param name="StableRank">st(A), fixed for the problem.</param>
/// <param name="StepsToTarget">First k with relative loss ≤ target; −1 if not reached.</param>
internal sealed record Trajectory(string Optimizer, IReadOnlyList<double> RelativeLoss, IReadOnlyList<double> NuclearRank,
    double StableRank, int StepsToTarget)
{
    /// <summary>nr(G_k)/st(A): the one-step guarantee of Spectral GD over GD's at iterate k (004 §3.2).</summary>
    public IReadOnlyList<double> ConditionRatio => NuclearRank.Select(nr => nr / StableRank).ToList();
}

/// <summary>Full-batch training with the two step rules of <see cref="StepRules"/>, from W = 0.</summary>
internal static class Training
{
    /// <summary>
    /// Runs <paramref name="optimizer"/> for up to <paramref name="steps"/> steps from W = 0. Iterate k
    /// (after k steps) is evaluated for k = 0 … steps; <paramref name="onIterate"/> sees each one.
    /// </summary>
    /// <param name="problem">The regression.</param>
    /// <param name="optimizer"><see cref="RandomFeaturesExperiment.Gd"/> or <see cref="RandomFeaturesExperiment.SpectralGd"/>.</param>
    /// <param name="steps">Step budget.</param>
    /// <param name="target">Target fraction of the initial loss.</param>
    /// <param name="stopAtTarget">Stop as soon as the target is reached (the sweep) instead of running the whole budget.</param>
    /// <param name="diagnostics">Compute nr(G_k) for GD too (Spectral GD needs its singular values anyway).</param>
    /// <param name="cancellation">Checked before every step.</param>
    /// <param name="onIterate">Called with (k, relative loss, nr(G_k)) for every iterate.</param>
    public static Trajectory Run(RandomFeatureProblem problem, string optimizer, int steps, double target, bool stopAtTarget,
        bool diagnostics, CancellationToken cancellation, Action<int, double, double>? onIterate = null)
    {
        bool spectral = optimizer switch
        {
            RandomFeaturesExperiment.Gd => false,
            RandomFeaturesExperiment.SpectralGd => true,
            _ => throw new ArgumentException($"Unknown optimizer '{optimizer}'; expected {RandomFeaturesExperiment.Gd} or {RandomFeaturesExperiment.SpectralGd}.", nameof(optimizer)),
        };
        double gdStep = StepRules.GradientStepSize(problem.Samples, problem.FeatureOperatorSquared);
        double spectralScale = StepRules.SpectralStepScale(problem.Samples, problem.FeatureFrobeniusSquared);
        var relativeLoss = new List<double>();
        var nuclearRank = new List<double>();
        int reached = -1;
        var w = zeros(problem.Targets.shape[0], problem.Features.shape[0], ScalarType.Float64); // W, [m, d]
        try
        {
            for (int k = 0; ; k++)
            {
                cancellation.ThrowIfCancellationRequested();
                using var scope = NewDisposeScope();
                var (loss, gradient) = problem.Evaluate(w);
                double relative = loss / problem.InitialLoss;
                double nuclearNorm = double.NaN, nr = double.NaN;
                if (spectral || diagnostics)
                {
                    var sigma = Spectral.SingularValues(gradient);
                    nuclearNorm = sigma.Sum();
                    double frobeniusSquared = sigma.Sum(s => s * s);
                    nr = frobeniusSquared == 0 ? 0 : nuclearNorm * nuclearNorm / frobeniusSquared; // nr(G) = ‖G‖²_*/‖G‖²_F
                }
                relativeLoss.Add(relative);
                nuclearRank.Add(nr);
                onIterate?.Invoke(k, relative, nr);
                if (reached < 0 && relative <= target) reached = k;
                if (k == steps || (stopAtTarget && reached >= 0)) break;
                var update = spectral ? StepRules.SpectralUpdate(gradient, spectralScale, nuclearNorm) : StepRules.GradientUpdate(gradient, gdStep);
                w.add_(update);
            }
        }
        finally
        {
            w.Dispose();
        }
        return new Trajectory(optimizer, relativeLoss, nuclearRank, problem.FeatureStableRank, reached);
    }
}
