using MuonSharp.Lab.Experiments;
using MuonSharp.Lab.Reports;
using MuonSharp.Lab.Runs;

namespace MuonSharp.Lab.Tests.Reports;

public sealed class ReportBuilderTests
{
    [Fact]
    public void Two_seeds_of_one_experiment_are_aggregated_into_mean_and_spread_with_plots_inlined()
    {
        using var temp = new TempDirectory();
        var toy = new ToyExperiment();
        var a = LabRunner.Run(toy, toy.Quick with { Seed = 0, Seeds = 1 }, temp.Sub("toy-seed0"));
        var b = LabRunner.Run(toy, toy.Quick with { Seed = 1, Seeds = 1 }, temp.Sub("toy-seed1"));
        double ra = a.Claims[0].Measured["ratio"], rb = b.Claims[0].Measured["ratio"];

        var (md, html) = ReportBuilder.Build(temp.Path);
        var claim = ReportBuilder.Aggregate(ReportBuilder.FindRuns(temp.Path)).Single();

        Assert.Equal((ra + rb) / 2, claim.Measured["ratio"].Mean, 12);
        Assert.Equal(Math.Abs(ra - rb) / Math.Sqrt(2), claim.Measured["ratio"].Spread, 12);
        Assert.Equal("holds", claim.VerdictText);
        var markdown = File.ReadAllText(md);
        Assert.Contains("| experiment | claim | source | verdict | measured | threshold |", markdown);
        Assert.Contains("**holds**", markdown);
        Assert.Contains("ratio = ", markdown);
        var page = File.ReadAllText(html);
        Assert.Contains("data:image/png;base64,", page);
        Assert.True(page.IndexOf("<table>", StringComparison.Ordinal) < page.IndexOf("<h2>", StringComparison.Ordinal), "the claims table comes first");
    }

    [Fact]
    public void A_folder_without_runs_is_a_user_error()
    {
        using var temp = new TempDirectory();

        Assert.Contains("No runs", Assert.Throws<LabUserException>(() => ReportBuilder.Build(temp.Path)).Message);
        Assert.Contains("does not exist", Assert.Throws<LabUserException>(() => ReportBuilder.Build(temp.Sub("nope"))).Message);
    }
}
