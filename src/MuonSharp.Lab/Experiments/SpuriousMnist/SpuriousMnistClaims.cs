using System.Globalization;
using MuonSharp.Lab.Analysis;
using MuonSharp.Lab.Claims;

namespace MuonSharp.Lab.Experiments.SpuriousMnist;

/// <summary>
/// The claims of <c>000 §5</c> and how each is judged from the runs. Comparisons between optimizers are
/// per-seed paired differences (<see cref="PairedDifference"/>: a seed gives every optimizer the same
/// initialization and batches), and a side is ahead only by more than one standard error over seeds; a
/// diverged run makes what it enters inconclusive. Margins and rules were fixed before any run.
/// </summary>
public static class SpuriousMnistClaims
{
    private const string FigureSource = "000 §5, Fig. 3b–c, App. C.3";
    private const string Undecided = "inconclusive when a difference is within one standard error, with fewer than two seeds, or when a compared run diverged";

    /// <summary>(a) Every optimizer comes to rely on the pixel: clean accuracy declines from its peak.</summary>
    public static readonly ClaimSpec CleanAccuracyDeclines = new("a-clean-accuracy-declines", FigureSource,
        "All three optimizers' accuracy on the clean validation set eventually declines from its peak: the solutions come to rely on the spurious pixel.",
        "Per optimizer and seed at figure_intensity: peak clean validation accuracy minus the clean accuracy at the last evaluation (the decline); " +
        "the smallest and the mean over seeds.",
        "Holds if every seed of every optimizer declines by at least decline_margin; fails if every seed of some optimizer declines by less; " +
        "inconclusive when the seeds disagree or a run diverged.");

    /// <summary>(b) Early stopping favours SGD.</summary>
    public static readonly ClaimSpec SgdPeaksHighest = new("b-sgd-peaks-highest", FigureSource,
        "SGD's peak clean validation accuracy exceeds Adam's and Muon's (so with early stopping SGD may be the better choice).",
        "Peak clean validation accuracy over training, per seed, at figure_intensity; the paired differences sgd − adam and sgd − muon: mean and standard error (_se).",
        $"Holds if SGD's peak exceeds both by more than the standard error of the paired difference; fails if Adam's or Muon's exceeds SGD's by more than it; {Undecided}.");

    /// <summary>(c) The adaptive optimizers' clean and spurious curves separate earlier.</summary>
    public static readonly ClaimSpec SeparateEarlier = new("c-separate-earlier", "000 §5, Fig. 3b–c",
        "Muon's (and Adam's) clean and spurious validation curves separate earlier than SGD's: SGD relies on the digits alone for longer.",
        "Separation step: the first evaluation at which spurious − clean validation accuracy exceeds separation_margin (steps + eval_every when it never does), " +
        "per seed, at figure_intensity; the paired differences sgd − muon and sgd − adam: mean and standard error (_se).",
        $"Holds if SGD's separation step exceeds both Muon's and Adam's by more than the standard error of the paired difference; fails if Muon's or Adam's exceeds SGD's by more than it; {Undecided} (as when no curve separates).");

    /// <summary>(d) Above a switch intensity SGD falls behind; Muon hardly drops.</summary>
    public static readonly ClaimSpec IntensitySwitch = new("d-intensity-switch", "000 §5, Fig. 3d",
        "Over the intensity sweep there is a switch intensity above which SGD's peak clean accuracy falls below Adam's and Muon's, while Muon's peak clean accuracy drops little across the switch.",
        "Per intensity, SGD is behind when Adam's and Muon's peak clean accuracy both exceed SGD's by more than the standard error of the paired difference, " +
        "not behind when one of them is below SGD's by more than it, undecided otherwise. The switch is the lowest intensity from which SGD is behind at every " +
        "higher intensity; Muon's drop is its mean peak clean accuracy at the intensity below the switch minus at the switch (SGD's drop beside it).",
        "Holds if SGD is not behind at every intensity below the switch, behind at the switch and above, at least one intensity lies below it, and Muon's drop is at most " +
        "muon_drop_tolerance; fails if SGD is never behind, behind everywhere, not behind above an intensity where it is behind, or Muon drops more; " +
        "inconclusive when an intensity is undecided where it matters, with fewer than two seeds, or when a run diverged.");

    /// <summary>All four, in order.</summary>
    public static IReadOnlyList<ClaimSpec> All => new[] { CleanAccuracyDeclines, SgdPeaksHighest, SeparateEarlier, IntensitySwitch };

    /// <summary>
    /// The first evaluation step at which spurious − clean accuracy exceeds <paramref name="margin"/>, or
    /// <paramref name="never"/> when none does.
    /// </summary>
    /// <param name="run">A run.</param>
    /// <param name="margin">The separation margin.</param>
    /// <param name="never">Returned when the curves never separate.</param>
    public static double SeparationStep(SpuriousRun run, double margin, double never)
    {
        for (int i = 0; i < run.Steps.Count; i++)
            if (run.SpuriousAccuracy[i] - run.CleanAccuracy[i] > margin) return run.Steps[i];
        return never;
    }

    /// <summary>Clean accuracy lost from the peak by the last evaluation.</summary>
    /// <param name="run">A run.</param>
    public static double Decline(SpuriousRun run) => run.PeakClean - run.CleanAccuracy[^1];

    /// <summary>Judges all four claims.</summary>
    /// <param name="config">Settings (margins, intensities).</param>
    /// <param name="runs">Every measured run.</param>
    public static IReadOnlyList<ClaimResult> Judge(SpuriousMnistConfig config, IReadOnlyList<SpuriousRun> runs)
    {
        var judge = new Judgement(config, runs);
        return new[] { judge.Declines(), judge.SgdPeak(), judge.Separation(), judge.Switch() };
    }

    private sealed class Judgement(SpuriousMnistConfig config, IReadOnlyList<SpuriousRun> runs)
    {
        private const string Sgd = SpuriousMnistExperiment.Sgd, Adam = SpuriousMnistExperiment.Adam, Muon = SpuriousMnistExperiment.Muon;
        private readonly double never = config.Steps + config.EvalEvery;
        private readonly HashSet<string> present = runs.Select(r => r.Optimizer).ToHashSet();

        private Dictionary<int, double> PerSeed(double intensity, string optimizer, Func<SpuriousRun, double> value) =>
            runs.Where(r => r.Intensity == intensity && r.Optimizer == optimizer).ToDictionary(r => r.Seed, r => r.Diverged ? double.NaN : value(r));

        private double SeparationOf(SpuriousRun r) => SeparationStep(r, config.SeparationMargin, never);

        private string? Missing(params string[] needed) =>
            needed.FirstOrDefault(o => !present.Contains(o)) is { } absent ? $"needs {absent}, which did not run" : null;

        public ClaimResult Declines()
        {
            var measured = new Dictionary<string, double>();
            var decisive = new List<string>();
            var figure = runs.Where(r => r.Intensity == config.FigureIntensity).ToList();
            foreach (var optimizer in config.Optimizers)
            {
                var declines = PerSeed(config.FigureIntensity, optimizer, Decline).Values.ToList();
                measured[$"{optimizer}_decline_min"] = declines.Count == 0 ? double.NaN : declines.Min();
                measured[$"{optimizer}_decline_mean"] = Stats.Mean(declines);
                measured[$"{optimizer}_peak_step_mean"] = Stats.Mean(PerSeed(config.FigureIntensity, optimizer, r => r.PeakStep).Values);
                decisive.Add($"{optimizer}_decline_min");
            }
            if (figure.Count == 0 || figure.Any(r => r.Diverged))
                return CleanAccuracyDeclines.Judge(null, measured, "a run diverged or none ran at figure_intensity", decisive);
            bool allDecline = figure.All(r => Decline(r) >= config.DeclineMargin);
            var neverDeclines = config.Optimizers.Where(o => figure.Where(r => r.Optimizer == o).All(r => Decline(r) < config.DeclineMargin)).ToList();
            if (allDecline) return CleanAccuracyDeclines.Judge(true, measured, decisive: decisive);
            if (neverDeclines.Count > 0)
                return CleanAccuracyDeclines.Judge(false, measured, $"no seed of {string.Join(", ", neverDeclines)} declines by {config.DeclineMargin:G3}", decisive);
            return CleanAccuracyDeclines.Judge(null, measured, "the verdict moves with the seed: some seeds decline by the margin, others do not", decisive);
        }

        public ClaimResult SgdPeak()
        {
            var measured = new Dictionary<string, double>();
            foreach (var optimizer in config.Optimizers)
                measured[$"{optimizer}_peak_clean_mean"] = Stats.Mean(PerSeed(config.FigureIntensity, optimizer, r => r.PeakClean).Values);
            if (Missing(Sgd, Adam, Muon) is { } missing) return SgdPeaksHighest.Judge(null, measured, missing);
            return Compare(SgdPeaksHighest, measured, new[] { Sgd }, new[] { Adam, Muon }, r => r.PeakClean, "peak_clean");
        }

        public ClaimResult Separation()
        {
            var measured = new Dictionary<string, double>();
            foreach (var optimizer in config.Optimizers)
                measured[$"{optimizer}_separation_step_mean"] = Stats.Mean(PerSeed(config.FigureIntensity, optimizer, SeparationOf).Values);
            if (Missing(Sgd, Adam, Muon) is { } missing) return SeparateEarlier.Judge(null, measured, missing);
            return Compare(SeparateEarlier, measured, new[] { Sgd }, new[] { Muon, Adam }, SeparationOf, "separation_step");
        }

        /// <summary>Judges "each of <paramref name="ahead"/> exceeds each of <paramref name="behind"/>" by paired differences at the figure intensity.</summary>
        private ClaimResult Compare(ClaimSpec claim, Dictionary<string, double> measured, string[] ahead, string[] behind, Func<SpuriousRun, double> value, string name)
        {
            var comparisons = ahead.SelectMany(a => behind.Select(b => ($"{a}_minus_{b}_{name}",
                PairedDifference.Of(PerSeed(config.FigureIntensity, a, value), PerSeed(config.FigureIntensity, b, value))))).ToList();
            var decisive = comparisons.SelectMany(c => c.Item2.Record(measured, c.Item1)).ToList();
            var (holds, deciding) = PairedDifference.AllFirstAhead(comparisons);
            var difference = comparisons.First(c => c.Item1 == deciding).Item2;
            string note = holds switch
            {
                true => $"closest: {deciding} = {difference}",
                false => $"{deciding} = {difference}: the other side is ahead",
                null => $"{deciding} = {difference}: undecided",
            };
            return claim.Judge(holds, measured, note, decisive);
        }

        public ClaimResult Switch()
        {
            var intensities = config.Intensities.OrderBy(i => i).ToList();
            var measured = new Dictionary<string, double>();
            string PeakKey(double intensity, string optimizer) => $"{SpuriousMnistTraining.Label(intensity)}_{optimizer}_peak_clean_mean";
            foreach (var intensity in intensities)
                foreach (var optimizer in config.Optimizers)
                    measured[PeakKey(intensity, optimizer)] = Stats.Mean(PerSeed(intensity, optimizer, r => r.PeakClean).Values);
            measured["switch_intensity"] = double.NaN;
            measured["muon_drop_at_switch"] = double.NaN;
            measured["sgd_drop_at_switch"] = double.NaN;
            var decisive = new[] { "switch_intensity", "muon_drop_at_switch" };
            if (Missing(Sgd, Adam, Muon) is { } missing) return IntensitySwitch.Judge(null, measured, missing, decisive);
            if (intensities.Count < 2) return IntensitySwitch.Judge(null, measured, "needs at least two intensities", decisive);

            // Per intensity: true = SGD behind both (beyond one SE), false = clearly not behind, null = undecided.
            var behind = intensities.Select(intensity => PairedDifference.AllFirstAhead(new[]
            {
                ("adam", PairedDifference.Of(PerSeed(intensity, Adam, r => r.PeakClean), PerSeed(intensity, Sgd, r => r.PeakClean))),
                ("muon", PairedDifference.Of(PerSeed(intensity, Muon, r => r.PeakClean), PerSeed(intensity, Sgd, r => r.PeakClean))),
            }).Holds).ToList();
            for (int i = 0; i < intensities.Count; i++) measured[$"{SpuriousMnistTraining.Label(intensities[i])}_sgd_behind"] = behind[i] switch { true => 1, false => 0, null => double.NaN };
            string states = string.Join(", ", intensities.Zip(behind, (i, b) => $"{i.ToString(CultureInfo.InvariantCulture)}: {b switch { true => "SGD behind", false => "SGD not behind", null => "undecided" }}"));

            int firstBehind = behind.IndexOf(true);
            int lastNotBehind = behind.LastIndexOf(false);
            if (firstBehind >= 0 && lastNotBehind > firstBehind)
                return IntensitySwitch.Judge(false, measured, $"SGD is behind at a lower intensity and not behind at a higher one ({states})", decisive);
            if (firstBehind < 0)
                return IntensitySwitch.Judge(behind.Contains(null) ? null : false, measured, $"SGD is never clearly behind ({states})", decisive);
            if (firstBehind == 0)
                return IntensitySwitch.Judge(false, measured, $"SGD is behind already at the lowest intensity: no switch within the sweep ({states})", decisive);
            if (behind.Skip(firstBehind).Contains(null) || behind.Take(firstBehind).Contains(null))
                return IntensitySwitch.Judge(null, measured, $"an intensity around the switch is undecided ({states})", decisive);

            double below = intensities[firstBehind - 1], at = intensities[firstBehind];
            measured["switch_intensity"] = at;
            measured["muon_drop_at_switch"] = measured[PeakKey(below, Muon)] - measured[PeakKey(at, Muon)];
            measured["sgd_drop_at_switch"] = measured[PeakKey(below, Sgd)] - measured[PeakKey(at, Sgd)];
            if (!double.IsFinite(measured["muon_drop_at_switch"]))
                return IntensitySwitch.Judge(null, measured, "a Muon run diverged around the switch", decisive);
            bool little = measured["muon_drop_at_switch"] <= config.MuonDropTolerance;
            return IntensitySwitch.Judge(little, measured,
                $"switch at intensity {at.ToString(CultureInfo.InvariantCulture)}; Muon drops {measured["muon_drop_at_switch"]:G3}, SGD {measured["sgd_drop_at_switch"]:G3} ({states})", decisive);
        }
    }
}
