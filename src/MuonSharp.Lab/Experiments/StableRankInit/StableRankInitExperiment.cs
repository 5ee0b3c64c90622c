using MuonSharp.Lab.Claims;
using MuonSharp.Lab.Runs;
using TorchSharp;

namespace MuonSharp.Lab.Experiments.StableRankInit;

/// <summary>
/// Stable rank of post-activations at Gaussian initialization (004 §5): σ(WX) across widths for |t|,
/// ReLU, squared ReLU and GELU, and per layer through Fig. 1's squared-ReLU network.
/// </summary>
/// <remarks>
/// Nothing is optimized: the optimizer column of metrics.csv holds the activation (see
/// <see cref="StableRankInitConfig"/>). Metrics: <c>stable_rank</c> and <c>stable_rank_over_width</c>
/// with step = width; <c>depth/stable_rank</c> with step = layer (0 = the inputs X).
/// </remarks>
public sealed class StableRankInitExperiment : Experiment<StableRankInitConfig>
{
    /// <summary>The activations this experiment knows, in the config's "optimizers" key.</summary>
    public static IReadOnlyList<string> ActivationNames { get; } = Activations.All.Select(a => a.Name).ToList();

    /// <inheritdoc />
    public override string Id => "stable-rank-init";

    /// <inheritdoc />
    public override string Description =>
        "Stable rank of post-activations at Gaussian init vs width (|t|, ReLU, ReLU², GELU) and through a squared-ReLU network; 'optimizers' names the activations.";

    /// <inheritdoc />
    public override string Source => "004 §5";

    /// <inheritdoc />
    public override IReadOnlyList<string> KnownOptimizers => ActivationNames;

    /// <inheritdoc />
    public override IReadOnlyList<ClaimSpec> Claims => StableRankInitClaims.All;

    /// <inheritdoc />
    public override StableRankInitConfig Paper => new();

    /// <inheritdoc />
    /// <remarks>n = 256 samples of dimension 64, widths 64 … 512, two seeds.</remarks>
    public override StableRankInitConfig Quick => new() { Samples = 256, InputDim = 64, Widths = new[] { 64, 128, 256, 512 }, Seeds = 2 };

    /// <inheritdoc />
    protected override IReadOnlyList<ClaimResult> Run(RunContext context, StableRankInitConfig config)
    {
        // Runs on the lab's torch thread count (LabRunner: one by default, see RunOptions.TorchThreads).
        return RunAll(context, config);
    }

    /// <summary>What one seed measured: per activation, the stable rank at every width and at every layer of the depth probe.</summary>
    /// <param name="Widths">Activation → stable rank per width (widths ascending).</param>
    /// <param name="Depth">Activation → stable rank per layer (0 = the inputs).</param>
    private sealed record SeedProbe(Dictionary<string, double[]> Widths, Dictionary<string, double[]> Depth);

    /// <summary>One seed (one unit): the width sweep and the depth probe for every activation, recorded as it goes.</summary>
    private static SeedProbe Probe(RunContext context, StableRankInitConfig config, IReadOnlyList<Activation> activations, IReadOnlyList<int> widths, int hidden, int seed)
    {
        using var bar = context.Progress.Start($"seed {seed}", widths.Count + 1);
        using var x = GaussianProbe.Inputs(config.InputDim, config.Samples, seed); // [d, n]
        var ranks = activations.ToDictionary(a => a.Name, _ => new List<double>());
        foreach (int width in widths)
        {
            context.StepBoundary();
            using var scope = torch.NewDisposeScope();
            var pre = GaussianProbe.WidthLayer(width, config.InputDim, seed).matmul(x); // [w, n], entries ≈ N(0, 1)
            foreach (var a in activations)
            {
                double st = Spectral.StableRank(a.Apply(pre));
                ranks[a.Name].Add(st);
                context.Metrics.Add(width, a.Name, seed, "stable_rank", st);
                context.Metrics.Add(width, a.Name, seed, "stable_rank_over_width", st / width);
            }
            bar.Advance();
        }
        context.StepBoundary();
        var depth = new Dictionary<string, double[]>();
        foreach (var a in activations)
        {
            var layers = GaussianProbe.LayerStableRanks(a, x, hidden, config.DepthHiddenLayers, seed);
            depth[a.Name] = layers.ToArray();
            for (int l = 0; l < layers.Count; l++) context.Metrics.Add(l, a.Name, seed, "depth/stable_rank", layers[l]);
        }
        bar.Advance();
        string Format(IEnumerable<double> values) => string.Join(" ", values.Select(r => r.ToString("0.###", System.Globalization.CultureInfo.InvariantCulture)));
        context.Log($"seed {seed}: st at widths {string.Join(", ", widths)} — " +
                    string.Join("; ", activations.Select(a => $"{a.Name} {Format(ranks[a.Name])}")) +
                    "; depth (inputs, layers) — " + string.Join("; ", activations.Select(a => $"{a.Name} {Format(depth[a.Name])}")));
        return new SeedProbe(ranks.ToDictionary(r => r.Key, r => r.Value.ToArray()), depth);
    }

    private static IReadOnlyList<ClaimResult> RunAll(RunContext context, StableRankInitConfig config)
    {
        var activations = config.Optimizers.Select(Activations.Get).ToList();
        var widths = config.Widths.OrderBy(w => w).ToList();
        int hidden = config.DepthWidthMultiplier * config.InputDim;
        var sweep = activations.ToDictionary(a => a.Name, _ => new List<IReadOnlyList<double>>()); // per seed, st per width
        var depth = activations.ToDictionary(a => a.Name, _ => new List<IReadOnlyList<double>>()); // per seed, st per layer

        foreach (int seed in config.SeedList)
        {
            var probe = context.Unit($"seed{seed}", () => Probe(context, config, activations, widths, hidden, seed));
            foreach (var a in activations)
            {
                sweep[a.Name].Add(probe.Widths[a.Name]);
                depth[a.Name].Add(probe.Depth[a.Name]);
            }
        }

        StableRankInitPlots.Draw(context, config, activations, widths, sweep, depth);

        var claims = Activations.All
            .Select(a => StableRankInitClaims.JudgeBounded(a, widths, sweep.TryGetValue(a.Name, out var s) ? s : null, config.Samples))
            .ToList();
        claims.Add(StableRankInitClaims.JudgeFarBelowWidth(widths[^1],
            sweep.ToDictionary(p => p.Key, p => (IReadOnlyList<double>)p.Value.Select(v => v[^1]).ToList()), config.WidthFraction, config.Samples));
        claims.Add(StableRankInitClaims.JudgeDepth(depth.TryGetValue("relu2", out var d) ? d : null, hidden, config.WidthFraction, config.Samples));
        return claims;
    }
}
