using MuonSharp.Lab.Claims;
using MuonSharp.Lab.Runs;
using MuonSharp.Lab.Training;
using static TorchSharp.torch;

namespace MuonSharp.Lab.Experiments.Factorization;

/// <summary>
/// 003, "Muon learns balanced solutions in matrix factorization without slow saddle-to-saddle
/// dynamics": min ‖M* − PᵀQ‖²_F with a planted spectrum (M* = diag(10/k), k = 1..32, N = d = 32,
/// Gaussian init × 5e-3), Muon as 003 analyses it — the exact polar step without momentum, the lab's
/// <c>spectral-gd</c> — against GD. Seven parts, one per claim:
/// (a) <see cref="ModeLearning"/>, (b) <see cref="ConservedQuantities"/>, (c) <see cref="CriticalStepSize"/>,
/// (d) <see cref="Annealing"/>, (e) <see cref="TwoStepSchedule"/>, (f) <see cref="BalancedSolution"/>, (g) <see cref="AlignmentRates"/>. Everything runs in float64.
/// </summary>
public sealed class FactorizationExperiment : Experiment<FactorizationConfig>
{
    /// <inheritdoc />
    public override string Id => "factorization";

    /// <inheritdoc />
    public override string Description => "Matrix factorization with a planted spectrum: Muon as 003 analyses it (exact polar step, run as spectral-gd) vs GD from small init";

    /// <inheritdoc />
    public override string Source => "003 (abstract: claims 1–3, two-step schedule)";

    /// <inheritdoc />
    public override IReadOnlyList<string> KnownOptimizers { get; } = new[] { PolarStep, "gd" };

    /// <summary>
    /// The polar step 003's theorems are about ("Muon" there is the exact polar factor without momentum):
    /// the lab's exact-SVD <c>spectral-gd</c>, computed here in closed form like GD.
    /// </summary>
    public const string PolarStep = "spectral-gd";

    /// <inheritdoc />
    public override IReadOnlyList<ClaimSpec> Claims => FactorizationClaims.All;

    /// <inheritdoc />
    public override FactorizationConfig Paper => new();

    /// <inheritdoc />
    /// <remarks>
    /// d = N = 8 (spectrum 10/k, k = 1..8), 2 seeds; step sizes as in the paper size except the
    /// conservation runs, which stop early (drift builds up while the errors are large, early on).
    /// </remarks>
    public override FactorizationConfig Quick => new()
    {
        TargetDim = 8,
        HiddenWidth = 8,
        Steps = 400,
        Seeds = 2,
        EvalEvery = 2,
        FlowSteps = 1000,
        UnstableSteps = 200,
        HessianIterations = 200,
        Kappas = new double[] { 2, 8, 64 },
        AnnealMaxSteps = 1000,
        TwoStepSteps = 40,
        RatesTargetDim = 32,
        RatesSpikeRank = 8,
        RatesAlphas = new[] { 1e-4, 1e-3 },
    };

    /// <inheritdoc />
    protected override IReadOnlyList<ClaimResult> Run(RunContext context, FactorizationConfig config)
    {
        // Runs on the lab's torch thread count (LabRunner: one by default, see RunOptions.TorchThreads).
        using var problem = new FactorizationProblem(FactorizationProblem.HarmonicSpectrum(config.TargetDim, config.TargetScale, config.TargetDim), config.HiddenWidth);
        context.Log($"target: d = {config.TargetDim}, N = {config.HiddenWidth}, s_k = {config.TargetScale}/k; init N(0,1) × {config.InitScale}; float64");

        var runs = ModeLearning.Train(context, config, problem);
        var claims = new List<ClaimResult> { ModeLearning.Judge(config, problem, runs) };
        claims.Add(ConservedQuantities.Run(context, config, problem, runs));
        claims.Add(CriticalStepSize.Run(context, config, problem, runs));
        claims.Add(Annealing.Run(context, config));
        claims.Add(TwoStepSchedule.Run(context, config, problem));
        claims.Add(BalancedSolution.Run(config, problem, runs));
        claims.Add(AlignmentRates.Run(context, config));
        return claims;
    }

    /// <summary>003's small random start for <paramref name="seed"/> (its stream <c>small-init</c>): the same P₀, Q₀ for every optimizer and part.</summary>
    internal static (Tensor P, Tensor Q) SmallInit(FactorizationProblem problem, FactorizationConfig config, int seed)
    {
        using var generator = SeedStreams.Generator(seed, "small-init");
        return problem.SmallRandomInit(config.InitScale, generator);
    }

    /// <summary>The update rule of an optimizer name.</summary>
    internal static UpdateRule RuleOf(string optimizer) => optimizer switch
    {
        PolarStep => UpdateRule.SpectralGd,
        "gd" => UpdateRule.Gd,
        _ => throw new ArgumentOutOfRangeException(nameof(optimizer), optimizer, $"Known: {PolarStep}, gd."),
    };

    /// <summary>The constant step size of part (a) for an optimizer name.</summary>
    internal static double LearningRateOf(FactorizationConfig config, string optimizer) => optimizer == PolarStep ? config.SpectralGdLr : config.GdLr;

    /// <summary>The step size of the conservation runs (b) for an optimizer name.</summary>
    internal static double FlowLrOf(FactorizationConfig config, string optimizer) => optimizer == PolarStep ? config.SpectralGdFlowLr : config.GdFlowLr;
}
