using MuonSharp.Lab.Analysis;
using MuonSharp.Lab.Claims;
using MuonSharp.Lab.Plots;
using MuonSharp.Lab.Runs;
using static MuonSharp.Lab.Experiments.Factorization.FactorizationClaims;

namespace MuonSharp.Lab.Experiments.Factorization;

/// <summary>
/// Part (e): the two-step schedule η₀ (tiny), η₁ = √s_max, then halving (papers README).
/// </summary>
/// <remarks>
/// <para>
/// What we derived (the paper's derivation was lost in extraction). With M* = USVᵀ and P, Q still
/// small, Muon's step on P is η·polar(Q V S)Uᵀ and on Q is η·polar(P U S)Vᵀ; a step much larger than
/// the weights makes P ≈ η a Uᵀ and Q ≈ η b Vᵀ with isometries a = polar(Q V S), b = polar(P U S).
/// If the step on Q already sees the new P (Gauss–Seidel order), polar(η a S) = a and
/// Q ≈ η₁ a Vᵀ too: P and Q share the inner factor a, PᵀQ = η₁² UVᵀ = s_max·UVᵀ (aligned, every
/// mode at s_max), and halving then bisects each √s_k. With simultaneous updates — how every
/// optimizer steps — P's direction comes from Q's old factor and Q's from P's: PᵀQ ≈ s_max·U bᵀa Vᵀ
/// with an unrelated orthogonal bᵀa, i.e. not aligned. We found no role for the tiny η₀ step in
/// either order. The verdict uses the simultaneous update (003's Muon); the Gauss–Seidel variant is
/// reported beside it so the reader can see which reading the claim needs.
/// </para>
/// </remarks>
internal static class TwoStepSchedule
{
    private const string Alternating = FactorizationExperiment.PolarStep + "-alternating";

    /// <summary>Runs the schedule from each seed's small random start (one unit per seed and variant) and judges claim (e).</summary>
    public static ClaimResult Run(RunContext context, FactorizationConfig config, FactorizationProblem problem)
    {
        const string polar = FactorizationExperiment.PolarStep;
        var measured = new Dictionary<string, double>();
        if (!config.Optimizers.Contains(polar))
            return TwoStepAlignment.Judge(null, measured, $"{polar} is not among the optimizers of this run.");

        double eta1 = Math.Sqrt(problem.SingularValues[0]);
        var variants = new[] { (polar, UpdateRule.SpectralGd), (Alternating, UpdateRule.SpectralGdAlternating) };
        var runs = variants.ToDictionary(v => v.Item1, _ => new List<FactorRun>());
        foreach (int seed in config.SeedList)
            foreach (var (name, rule) in variants)
                runs[name].Add(context.Unit($"two-step/{name}/seed{seed}", () =>
                {
                    var (p0, q0) = FactorizationExperiment.SmallInit(problem, config, seed);
                    using (p0)
                    using (q0)
                    using (var progress = context.Progress.Start($"(e) two-step schedule, {name} seed {seed}", config.TwoStepSteps))
                    {
                        var run = Trainer.Run(problem, p0, q0, new TrainOptions
                        {
                            Steps = config.TwoStepSteps,
                            LearningRate = t => LearningRate(config.SpectralGdTwoStepFirstLr, eta1, t),
                            Rule = rule,
                            Diagnostics = true,
                            DivergenceLoss = double.PositiveInfinity, // step 2 overshoots on purpose
                            Cancellation = context.Cancellation,
                            Progress = progress,
                        });
                        Curves.Record(context, name, seed, "two_step_loss", run.Loss, 1);
                        Curves.Record(context, name, seed, "two_step_misalignment", run.Misalignment, 1);
                        return run;
                    }
                }));

        foreach (var (name, _) in variants)
        {
            Curves.AddMeanAndSpread(measured, $"{name}_misalignment_after_step_2", runs[name].Select(r => r.Misalignment[2]).ToList());
            measured[$"{name}_final_loss_ratio_mean"] = Stats.Mean(runs[name].Select(r => r.Loss[^1] / r.Loss[0]));
        }
        measured["misalignment_at_init_mean"] = Stats.Mean(runs[polar].Select(r => r.Misalignment[0]));
        measured["eta1"] = eta1;

        Charts.Line(context, "two_step_misalignment",
            $"Misalignment under η₀ = {config.SpectralGdTwoStepFirstLr}, η₁ = √s_max = {eta1:0.###}, then halving (mean over seeds)", "step", "misalignment",
            variants.Select(v => Curves.Thinned(v.Item1, Curves.Mean(runs[v.Item1].Select(r => (IReadOnlyList<double>)r.Misalignment).ToList()), 1)), logY: true);
        Charts.Line(context, "two_step_loss", "Loss under the two-step schedule (mean over seeds)", "step", "loss",
            variants.Select(v => Curves.Thinned(v.Item1, Curves.Mean(runs[v.Item1].Select(r => (IReadOnlyList<double>)r.Loss).ToList()), 1)), logY: true);

        double after2 = measured[$"{polar}_misalignment_after_step_2_mean"];
        if (!double.IsFinite(after2)) return TwoStepAlignment.Judge(null, measured, "Misalignment after step 2 is not finite.");
        string? note = after2 > MaxMisalignmentAfterTwoSteps && measured[$"{Alternating}_misalignment_after_step_2_mean"] <= MaxMisalignmentAfterTwoSteps
            ? $"With simultaneous updates P takes Q's old direction and Q takes P's, so PᵀQ ≈ s_max·U bᵀa Vᵀ is not aligned; updating P before Q ({Alternating}) aligns in two steps."
            : null;
        return TwoStepAlignment.Judge(after2 <= MaxMisalignmentAfterTwoSteps, measured, note);
    }

    /// <summary>η₀ at t = 0, η₁ at t = 1, η₁ / 2^(t−1) after.</summary>
    public static double LearningRate(double eta0, double eta1, int t) => t == 0 ? eta0 : eta1 / Math.Pow(2, t - 1);
}
