using MuonSharp.Lab.Runs;
using static TorchSharp.torch;

namespace MuonSharp.Lab.Experiments.Factorization;

/// <summary>How one step moves P and Q.</summary>
public enum UpdateRule
{
    /// <summary>Gradient descent: P ← P − η∇_P L, Q ← Q − η∇_Q L, both from the same point.</summary>
    Gd,

    /// <summary>
    /// Spectral GD, which is Muon as 003 analyses it: exact polar factor (<see cref="Orthogonalize.Polar"/>),
    /// no momentum: P ← P − η·polar(∇_P L), Q ← Q − η·polar(∇_Q L), both gradients taken at the same point.
    /// </summary>
    SpectralGd,
}

/// <summary>What to run and what to measure along one run.</summary>
internal sealed record TrainOptions
{
    /// <summary>Number of updates; curves hold Steps + 1 points (index t = after t updates).</summary>
    public required int Steps { get; init; }

    /// <summary>Step size of update t (0-based).</summary>
    public required Func<int, double> LearningRate { get; init; }

    /// <summary>The update.</summary>
    public required UpdateRule Rule { get; init; }

    /// <summary>Record σ_k, factor mode norms and misalignment at every step.</summary>
    public bool Diagnostics { get; init; }

    /// <summary>Compute the two conserved quantities' drift every this many steps; 0 = never.</summary>
    public int InvariantEvery { get; init; }

    /// <summary>
    /// Drift is measured from the first evaluated step whose misalignment is ≤ this (needs
    /// <see cref="Diagnostics"/>); null = from step 0.
    /// </summary>
    public double? DriftFromMisalignment { get; init; }

    /// <summary>Stop once the loss is ≤ this (steps-to-threshold runs); null = run all steps.</summary>
    public double? StopAtLoss { get; init; }

    /// <summary>A loss above this (or not finite) counts as divergence and ends the run.</summary>
    public double DivergenceLoss { get; init; } = double.PositiveInfinity;

    /// <summary>Checked between steps.</summary>
    public CancellationToken Cancellation { get; init; }

    /// <summary>Advanced once per step (and by the remainder when a run stops early), if given.</summary>
    public IProgressTask? Progress { get; init; }
}

/// <summary>
/// The curves of one run; index t is the state after t updates. Plain lists with settable properties: a
/// unit's result comes back through JSON.
/// </summary>
internal sealed class FactorRun
{
    public List<double> Loss { get; init; } = new();
    public List<double[]> Sigma { get; init; } = new();   // σ_k of PᵀQ in the target basis
    public List<double[]> NormP { get; init; } = new();   // ‖P u_k‖
    public List<double[]> NormQ { get; init; } = new();   // ‖Q v_k‖
    public List<double> Misalignment { get; init; } = new();

    /// <summary>(step, relative drift of √(PPᵀ) − √(QQᵀ), relative drift of PPᵀ − QQᵀ) from <see cref="ReferenceStep"/>.</summary>
    public List<(int Step, double SqrtGramDrift, double GramDrift)> Drift { get; init; } = new();

    /// <summary>The step the drift is measured from; −1 if never reached.</summary>
    public int ReferenceStep { get; set; } = -1;

    /// <summary>The loss exceeded the divergence level or stopped being finite; the run ended there.</summary>
    public bool Diverged { get; set; }

    /// <summary>P at the end, [N, d] row-major.</summary>
    public double[] FinalP { get; set; } = Array.Empty<double>();

    /// <summary>Q at the end, [N, d] row-major.</summary>
    public double[] FinalQ { get; set; } = Array.Empty<double>();

    /// <summary>σ_k over time for one mode.</summary>
    public double[] SigmaOf(int k) => Sigma.Select(s => s[k]).ToArray();
}

/// <summary>Runs P, Q through one update rule and records a <see cref="FactorRun"/>.</summary>
internal static class Trainer
{
    /// <summary>Trains from (<paramref name="p0"/>, <paramref name="q0"/>), which are left untouched.</summary>
    public static FactorRun Run(FactorizationProblem problem, Tensor p0, Tensor q0, TrainOptions options)
    {
        var trajectory = new FactorRun();
        var p = p0.detach().clone().DetachFromDisposeScope();
        var q = q0.detach().clone().DetachFromDisposeScope();
        Tensor? referenceSqrtGram = null, referenceGram = null;
        try
        {
            using var noGrad = no_grad();
            for (int t = 0; t <= options.Steps; t++)
            {
                options.Cancellation.ThrowIfCancellationRequested();
                using var scope = NewDisposeScope();

                double loss = problem.Loss(p, q);
                trajectory.Loss.Add(loss);
                if (!double.IsFinite(loss) || loss > options.DivergenceLoss) { trajectory.Diverged = true; break; }

                double misalignment = double.NaN;
                if (options.Diagnostics)
                {
                    trajectory.Sigma.Add(FactorizationMetrics.ModeSigmas(p, q, problem.U, problem.V));
                    trajectory.NormP.Add(FactorizationMetrics.ModeNorms(p, problem.U));
                    trajectory.NormQ.Add(FactorizationMetrics.ModeNorms(q, problem.V));
                    misalignment = FactorizationMetrics.Misalignment(p, q, problem.U, problem.V);
                    trajectory.Misalignment.Add(misalignment);
                }

                if (options.InvariantEvery > 0 && (t % options.InvariantEvery == 0 || t == options.Steps))
                {
                    var sqrtGram = FactorizationMetrics.SqrtGramDifference(p, q);
                    var gram = FactorizationMetrics.GramDifference(p, q);
                    if (referenceSqrtGram is null && (options.DriftFromMisalignment is not { } level || misalignment <= level))
                    {
                        referenceSqrtGram = sqrtGram.clone().DetachFromDisposeScope();
                        referenceGram = gram.clone().DetachFromDisposeScope();
                        trajectory.ReferenceStep = t;
                    }
                    if (referenceSqrtGram is not null)
                        trajectory.Drift.Add((t, FactorizationMetrics.RelativeDrift(sqrtGram, referenceSqrtGram),
                            FactorizationMetrics.RelativeDrift(gram, referenceGram!)));
                }

                if (options.StopAtLoss is { } stop && loss <= stop) break;
                if (t == options.Steps) break;

                var (nextP, nextQ) = Step(problem, p, q, options.LearningRate(t), options.Rule);
                nextP.DetachFromDisposeScope();
                nextQ.DetachFromDisposeScope();
                p.Dispose();
                q.Dispose();
                (p, q) = (nextP, nextQ);
                options.Progress?.Advance();
            }
            // A run that stopped early (threshold reached, diverged) still fills its progress share.
            options.Progress?.Advance(options.Steps - (trajectory.Loss.Count - 1));
            trajectory.FinalP = p.data<double>().ToArray();
            trajectory.FinalQ = q.data<double>().ToArray();
            return trajectory;
        }
        finally
        {
            p.Dispose();
            q.Dispose();
            referenceSqrtGram?.Dispose();
            referenceGram?.Dispose();
        }
    }

    /// <summary>One update of (P, Q) with step size <paramref name="lr"/>; returns new tensors.</summary>
    public static (Tensor P, Tensor Q) Step(FactorizationProblem problem, Tensor p, Tensor q, double lr, UpdateRule rule)
    {
        switch (rule)
        {
            case UpdateRule.Gd:
            {
                var (gradP, gradQ) = problem.Gradients(p, q);
                using var s = new HeldScalars();
                return (p - gradP.mul(s[lr]), q - gradQ.mul(s[lr]));   // P − η∇P, Q − η∇Q
            }
            case UpdateRule.SpectralGd:
            {
                var (gradP, gradQ) = problem.Gradients(p, q);
                using var s = new HeldScalars();
                return (p - Orthogonalize.Polar(gradP).mul(s[lr]), q - Orthogonalize.Polar(gradQ).mul(s[lr]));
            }
            default:
                throw new ArgumentOutOfRangeException(nameof(rule), rule, "Unknown update rule.");
        }
    }
}
