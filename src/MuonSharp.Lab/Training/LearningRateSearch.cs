using System.Globalization;
using MuonSharp.Lab.Experiments;
using MuonSharp.Lab.Runs;

namespace MuonSharp.Lab.Training;

/// <summary>One learning rate a search tries, with the name its unit of work and the log give it (e.g. <c>x0.25</c>, <c>lr0.003</c>).</summary>
/// <param name="Name">Unique within the search.</param>
/// <param name="Lr">The learning rate.</param>
public sealed record LearningRateCandidate(string Name, double Lr)
{
    /// <summary>A grid of rates as candidates named by their value, <c>lr0.003</c>: the usual grid of a search.</summary>
    /// <param name="grid">The rates.</param>
    public static List<LearningRateCandidate> Named(IEnumerable<double> grid) =>
        grid.Select(lr => new LearningRateCandidate("lr" + lr.ToString("R", CultureInfo.InvariantCulture), lr)).ToList();
}

/// <summary>
/// The lab's hyperparameter search: each candidate learning rate is one run on the tuning seed
/// (<see cref="SeedStreams.TuningSeed"/>), scored by what the experiment's claims compare; the highest score
/// wins and a run that diverged (score −∞) never does. Each candidate is a unit of work, so an interrupted
/// search resumes where it stopped. The scores, the choice and a warning when it lies at the edge of the
/// grid go to the log; the choice to the metrics.
/// </summary>
public static class LearningRateSearch
{
    /// <summary>The learning rate of <paramref name="candidates"/> with the highest score.</summary>
    /// <param name="context">The run.</param>
    /// <param name="search">What is tuned, for the log and the unit keys, e.g. <c>d2/tune/adam</c>.</param>
    /// <param name="optimizer">Whose learning rate (the metrics' optimizer column).</param>
    /// <param name="seed">The tuning seed (the metrics' seed column).</param>
    /// <param name="candidates">The grid (any order; its edges are its smallest and largest rates).</param>
    /// <param name="score">Trains one candidate and scores it (higher is better; −∞ for a diverged run).</param>
    /// <param name="scoreName">What the score is, for the log (e.g. <c>peak tuning-split accuracy</c>).</param>
    /// <param name="metric">The metric the choice is recorded as, e.g. <c>tuned_lr</c>.</param>
    /// <param name="gridKey">The config key holding the grid, named when every candidate diverged.</param>
    public static double Best(RunContext context, string search, string optimizer, int seed, IReadOnlyList<LearningRateCandidate> candidates,
        Func<double, double> score, string scoreName, string metric, string gridKey)
    {
        if (candidates.Count == 0) throw new ArgumentException("A search needs at least one candidate.", nameof(candidates));
        candidates = candidates.OrderBy(c => c.Lr).ToList();
        var scores = candidates.Select(c => context.Unit($"{search}/{c.Name}", () => score(c.Lr))).ToList();
        if (scores.All(double.IsNegativeInfinity))
            throw new LabUserException($"Every learning rate tried for {optimizer} diverged ({string.Join(", ", candidates.Select(c => c.Lr.ToString("G3", CultureInfo.InvariantCulture)))}); " +
                                       $"lower the values of {gridKey}.");
        int best = scores.IndexOf(scores.Max());
        double lr = candidates[best].Lr;
        context.Log($"{search} (seed {seed}): {scoreName} " +
                    string.Join(", ", candidates.Zip(scores, (c, s) => $"{c.Name} {(double.IsNegativeInfinity(s) ? "diverged" : s.ToString("G4", CultureInfo.InvariantCulture))}")) +
                    $" → lr {lr.ToString("G4", CultureInfo.InvariantCulture)}");
        if (candidates.Count > 1 && (best == 0 || best == candidates.Count - 1))
            context.Log($"  note: the best learning rate for {optimizer} is at the edge of its grid");
        context.Metrics.Add(0, optimizer, seed, metric, lr);
        return lr;
    }
}
