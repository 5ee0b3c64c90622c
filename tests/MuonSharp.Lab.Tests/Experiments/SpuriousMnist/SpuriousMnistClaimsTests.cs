using MuonSharp.Lab.Claims;
using MuonSharp.Lab.Experiments.SpuriousMnist;

namespace MuonSharp.Lab.Tests.Experiments.SpuriousMnist;

/// <summary>The judges on synthetic curves whose verdict is known: each holds, fails and is inconclusive where it should.</summary>
public sealed class SpuriousMnistClaimsTests
{
    private const string Sgd = "sgd", Adam = "adam", Muon = "muon";
    private static readonly int[] Seeds = { 4, 5 };

    /// <summary>Four evaluations, steps 0, 10, 20, 30; intensities 0.5, 1 (the figure's) and 2.</summary>
    private static readonly SpuriousMnistConfig Config = new()
    {
        Steps = 30, EvalEvery = 10, Seed = 4, Seeds = 2, Intensities = new[] { 0.5, 1, 2 }, FigureIntensity = 1,
    };

    private static SpuriousRun Run(string optimizer, int seed, double intensity, double[] clean, double[]? spurious = null, bool diverged = false) =>
        new(optimizer, seed, intensity, 0.1, new[] { 0, 10, 20, 30 }, clean, spurious ?? clean, clean, spurious ?? clean, diverged,
            new Fc1Spectrum(new[] { 1.0 }, 1, 1, 1, 1));

    /// <summary>Every optimizer, seed and intensity: clean accuracy rising to <paramref name="peak"/> then falling by 0.05; the seed shifts every curve alike.</summary>
    private static List<SpuriousRun> Runs(Func<string, double, double> peak, Func<string, int, double, SpuriousRun?>? replace = null) =>
        (from intensity in Config.Intensities
         from optimizer in new[] { Sgd, Adam, Muon }
         from seed in Seeds
         let p = peak(optimizer, intensity) + 0.001 * seed
         select replace?.Invoke(optimizer, seed, intensity) ?? Run(optimizer, seed, intensity, new[] { 0.1, p - 0.02, p, p - 0.05 })).ToList();

    private static Dictionary<string, ClaimResult> Judge(IReadOnlyList<SpuriousRun> runs) =>
        SpuriousMnistClaims.Judge(Config, runs).ToDictionary(r => r.Id);

    private static readonly Func<string, double, double> SgdBestBelowTwo = (optimizer, intensity) =>
        optimizer == Sgd ? (intensity < 2 ? 0.97 : 0.80) : (intensity < 2 ? 0.94 : 0.935);

    [Fact]
    public void Decline_holds_when_every_seed_falls_by_the_margin_fails_when_an_optimizer_never_does_and_is_inconclusive_when_seeds_disagree()
    {
        Assert.Equal(Verdict.Holds, Judge(Runs(SgdBestBelowTwo))["a-clean-accuracy-declines"].Verdict);

        var flatMuon = Judge(Runs(SgdBestBelowTwo, (o, s, i) => o == Muon ? Run(o, s, i, new[] { 0.1, 0.9, 0.95, 0.945 }) : null))["a-clean-accuracy-declines"];
        Assert.Equal(Verdict.Fails, flatMuon.Verdict);
        Assert.Equal(0.005, flatMuon.Measured["muon_decline_min"], 9);

        var oneSeed = Judge(Runs(SgdBestBelowTwo, (o, s, i) => o == Muon && s == 5 ? Run(o, s, i, new[] { 0.1, 0.9, 0.95, 0.95 }) : null))["a-clean-accuracy-declines"];
        Assert.Equal(Verdict.Inconclusive, oneSeed.Verdict);
        Assert.Contains("moves with the seed", oneSeed.Note);

        var diverged = Judge(Runs(SgdBestBelowTwo, (o, s, i) => o == Adam && s == 4 ? Run(o, s, i, new[] { 0.1, 0.2, 0.3, 0.1 }, diverged: true) : null));
        Assert.Equal(Verdict.Inconclusive, diverged["a-clean-accuracy-declines"].Verdict);
    }

    [Fact]
    public void Sgd_peak_holds_when_ahead_of_both_beyond_the_seed_spread_and_fails_when_one_is_ahead_of_it()
    {
        var holds = Judge(Runs(SgdBestBelowTwo))["b-sgd-peaks-highest"];
        Assert.Equal(Verdict.Holds, holds.Verdict);
        Assert.Equal(0.03, holds.Measured["sgd_minus_adam_peak_clean"], 9);

        var fails = Judge(Runs((o, i) => o == Muon ? 0.99 : SgdBestBelowTwo(o, i)))["b-sgd-peaks-highest"];
        Assert.Equal(Verdict.Fails, fails.Verdict);
        Assert.Contains("sgd_minus_muon_peak_clean", fails.Note);

        // Seed 4: SGD ahead of Adam by 0.02, seed 5: behind by 0.02 — within one standard error.
        var noisy = Judge(Runs(SgdBestBelowTwo, (o, s, i) => o == Adam && i == 1 ? Run(o, s, i, new[] { 0.1, 0.9, s == 4 ? 0.954 : 0.995, 0.9 }) : null))["b-sgd-peaks-highest"];
        Assert.Equal(Verdict.Inconclusive, noisy.Verdict);
    }

    [Fact]
    public void Separation_holds_when_sgds_curves_part_later_fails_when_earlier_and_is_inconclusive_when_none_part()
    {
        double[] clean = { 0.1, 0.9, 0.95, 0.9 };
        double[] partsAt10 = { 0.1, 0.96, 0.99, 1.0 }, partsAt30 = { 0.1, 0.92, 0.97, 0.99 };
        SpuriousRun? Parting(string o, int s, double i, string late) => Run(o, s, i, clean, o == late ? partsAt30 : partsAt10);

        var holds = Judge(Runs(SgdBestBelowTwo, (o, s, i) => Parting(o, s, i, Sgd)))["c-separate-earlier"];
        Assert.Equal(Verdict.Holds, holds.Verdict);
        Assert.Equal(20, holds.Measured["sgd_minus_muon_separation_step"], 9);

        Assert.Equal(Verdict.Fails, Judge(Runs(SgdBestBelowTwo, (o, s, i) => Parting(o, s, i, Muon)))["c-separate-earlier"].Verdict);

        var never = Judge(Runs(SgdBestBelowTwo))["c-separate-earlier"];
        Assert.Equal(Verdict.Inconclusive, never.Verdict);
        Assert.Equal(Config.Steps + Config.EvalEvery, never.Measured["sgd_separation_step_mean"], 9);
    }

    [Fact]
    public void The_switch_holds_with_sgd_ahead_below_it_behind_from_it_and_muon_nearly_flat()
    {
        var holds = Judge(Runs(SgdBestBelowTwo))["d-intensity-switch"];

        Assert.Equal(Verdict.Holds, holds.Verdict);
        Assert.Equal(2, holds.Measured["switch_intensity"]);
        Assert.Equal(0.005, holds.Measured["muon_drop_at_switch"], 9);
        Assert.Equal(0.17, holds.Measured["sgd_drop_at_switch"], 9);
    }

    [Fact]
    public void The_switch_fails_when_muon_drops_too_when_sgd_is_never_or_always_behind_or_when_it_recovers()
    {
        string Verdict(Func<string, double, double> peak) => Judge(Runs(peak))["d-intensity-switch"].Verdict.ToString();

        Assert.Equal("Fails", Verdict((o, i) => o == Muon && i == 2 ? 0.90 : SgdBestBelowTwo(o, i)));                       // Muon drops 0.04
        Assert.Equal("Fails", Verdict((o, i) => o == Sgd ? 0.97 : 0.94));                                                 // never behind
        Assert.Equal("Fails", Verdict((o, i) => o == Sgd ? 0.90 : 0.94));                                                 // behind everywhere
        Assert.Equal("Fails", Verdict((o, i) => o == Sgd ? (i == 1 ? 0.90 : 0.97) : 0.94));                               // behind at 1, ahead at 2
    }

    [Fact]
    public void The_switch_is_inconclusive_when_the_intensity_that_places_it_is_within_the_seed_spread()
    {
        // At intensity 2 SGD is behind Adam on seed 4 and ahead on seed 5.
        var undecided = Judge(Runs(SgdBestBelowTwo, (o, s, i) => o == Sgd && i == 2 ? Run(o, s, i, new[] { 0.1, 0.9, s == 4 ? 0.90 : 0.99, 0.9 }) : null))["d-intensity-switch"];

        Assert.Equal(Verdict.Inconclusive, undecided.Verdict);
        Assert.Contains("never clearly behind", undecided.Note);
    }
}
