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

    [Fact]
    public void Interrupted_failed_and_killed_runs_are_listed_with_how_to_continue_and_missing_experiments_are_named()
    {
        using var temp = new TempDirectory();
        var toy = new ToyExperiment();
        LabRunner.Run(toy, toy.Quick, temp.Sub("done"));
        Assert.Throws<InvalidOperationException>(() => LabRunner.Run(new ToyExperiment { CrashAt = (1, 0) }, toy.Quick, temp.Sub("failed")));
        LabRunner.Run(toy, toy.Quick, temp.Sub("killed"));
        var summary = Path.Combine(temp.Sub("killed"), "summary.json");
        File.WriteAllText(summary, File.ReadAllText(summary).Replace("\"completed\"", "\"running\""));   // as a kill -9 leaves it
        Directory.CreateDirectory(temp.Sub("killed-early"));
        File.Copy(Path.Combine(temp.Sub("done"), "config.json"), Path.Combine(temp.Sub("killed-early"), "config.json"));

        var (md, _) = ReportBuilder.Build(temp.Path);
        var markdown = File.ReadAllText(md);

        Assert.Contains("| `done` | toy | completed |", markdown);
        Assert.Contains("| `failed` | toy | failed — continue it with --resume |", markdown);
        Assert.Contains("| `killed` | toy | stopped before finishing (killed?) — continue it with --resume |", markdown);
        Assert.Contains("| `killed-early` | toy | stopped before finishing", markdown);
        Assert.Contains("No run here of: ", markdown);
        Assert.Contains("deep-linear", markdown[markdown.IndexOf("No run here of: ", StringComparison.Ordinal)..]);
    }

    [Fact]
    public void A_file_is_not_a_folder_of_runs()
    {
        using var temp = new TempDirectory();
        File.WriteAllText(temp.Sub("x"), "");

        Assert.Contains("is a file", Assert.Throws<LabUserException>(() => ReportBuilder.Build(temp.Sub("x"))).Message);
    }
}
