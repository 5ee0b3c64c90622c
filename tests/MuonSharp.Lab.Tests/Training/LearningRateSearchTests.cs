using MuonSharp.Lab.Experiments;
using MuonSharp.Lab.Runs;
using MuonSharp.Lab.Training;

namespace MuonSharp.Lab.Tests.Training;

public sealed class LearningRateSearchTests
{
    private static RunContext Context() => new(Path.GetTempPath(), SilentProgress.Instance, CancellationToken.None);

    private static LearningRateCandidate[] Grid(params double[] lrs) => lrs.Select(lr => new LearningRateCandidate($"lr{lr}", lr)).ToArray();

    [Fact]
    public void The_highest_score_wins_a_diverged_run_never_does_and_the_choice_is_logged_and_recorded()
    {
        var context = Context();
        var scores = new Dictionary<double, double> { [0.01] = 0.5, [0.1] = 0.9, [1] = double.NegativeInfinity, [0.03] = 0.7 };
        var tried = new List<double>();

        double lr = LearningRateSearch.Best(context, "tune/sgd", "sgd", 10_007, Grid(0.1, 1, 0.01, 0.03),
            x => { tried.Add(x); return scores[x]; }, "peak accuracy", "tuned_lr", "sgd_lr_grid");

        Assert.Equal(0.1, lr);
        Assert.Equal(new[] { 0.01, 0.03, 0.1, 1 }, tried);   // each candidate once, smallest first
        Assert.Contains(context.LogLines, l => l.StartsWith("tune/sgd (seed 10007): peak accuracy lr0.01 0.5, lr0.03 0.7, lr0.1 0.9, lr1 diverged → lr 0.1", StringComparison.Ordinal));
        Assert.DoesNotContain(context.LogLines, l => l.Contains("edge of its grid"));
        Assert.Equal(new[] { (0L, 0.1) }, context.Metrics.Series("sgd", 10_007, "tuned_lr"));
    }

    [Fact]
    public void A_choice_at_the_smallest_or_largest_rate_is_flagged_whatever_the_order_of_the_grid()
    {
        var largest = Context();
        LearningRateSearch.Best(largest, "tune/adam", "adam", 1, Grid(0.3, 0.1, 1), x => x, "score", "tuned_lr", "adam_lr_grid");
        var middle = Context();
        LearningRateSearch.Best(middle, "tune/adam", "adam", 1, Grid(1, 0.1, 0.3), x => -Math.Abs(x - 0.3), "score", "tuned_lr", "adam_lr_grid");

        Assert.Contains(largest.LogLines, l => l.Contains("the best learning rate for adam is at the edge of its grid"));
        Assert.DoesNotContain(middle.LogLines, l => l.Contains("edge of its grid"));
    }

    [Fact]
    public void When_every_candidate_diverges_the_error_names_the_rates_and_the_grid_key()
    {
        var error = Assert.Throws<LabUserException>(() => LearningRateSearch.Best(Context(), "tune/muon", "muon", 1, Grid(0.1, 0.3),
            _ => double.NegativeInfinity, "score", "tuned_lr", "muon_lr_grid"));

        Assert.Contains("Every learning rate tried for muon diverged (0.1, 0.3)", error.Message);
        Assert.Contains("muon_lr_grid", error.Message);
    }
}
