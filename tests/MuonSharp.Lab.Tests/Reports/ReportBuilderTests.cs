using MuonSharp.Lab.Claims;
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
        var claim = ClaimAggregation.Aggregate(ReportBuilder.FindRuns(temp.Path)).Single();

        Assert.Equal((ra + rb) / 2, claim.Measured["ratio"].Mean, 12);
        Assert.Equal(Math.Abs(ra - rb) / Math.Sqrt(2), claim.Measured["ratio"].Spread, 12);
        Assert.Equal("holds", claim.VerdictText);
        var markdown = File.ReadAllText(md);
        Assert.Contains("| experiment | claim | source | verdict | measured (decisive numbers) | threshold |", markdown);
        Assert.Contains("1 claims: 1 hold, 0 fail, 0 inconclusive", markdown);
        Assert.Contains("**holds**", markdown);
        Assert.Contains("ratio = ", markdown);
        var page = File.ReadAllText(html);
        Assert.Contains("data:image/png;base64,", page);
        Assert.True(page.IndexOf("<table>", StringComparison.Ordinal) < page.IndexOf("<h2", StringComparison.Ordinal), "the claims table comes first");
    }

    [Fact]
    public void Points_of_a_sweep_below_the_folder_are_left_out_of_its_runs_and_the_sweep_is_named()
    {
        using var temp = new TempDirectory();
        var toy = new ToyExperiment();
        LabRunner.Run(toy, toy.Quick, temp.Sub("run"));
        var sweep = ToySweep.Run(temp.Sub(Path.Combine("sweeps", "lr")), 1, "learning_rate=0.1,0.3");

        var report = ReportBuilder.Read(temp.Path);
        var (md, html) = ReportBuilder.Build(temp.Path);

        Assert.Equal(new[] { temp.Sub("run") }, report.Runs.Select(r => r.Directory));
        Assert.Equal(new[] { sweep }, report.Sweeps);
        Assert.Single(report.Claims.Single().Verdicts);
        Assert.Contains($"left out of this report (their points differ in config, not only in seed): {Path.Combine("sweeps", "lr")};", File.ReadAllText(md));
        Assert.Contains("Sweeps here, left out of this report", File.ReadAllText(html));
        Assert.Null((report with { Sweeps = Array.Empty<string>() }).SweepsLine());
    }

    [Fact]
    public void A_folder_holding_only_sweeps_has_no_runs_of_its_own_and_the_error_names_a_sweep_to_report()
    {
        using var temp = new TempDirectory();
        var sweep = ToySweep.Run(temp.Sub("lr"), 1, "learning_rate=0.1,0.3");

        var error = Assert.Throws<LabUserException>(() => ReportBuilder.Read(temp.Path));

        Assert.Contains($"outside its sweeps ({sweep}); report a sweep by its directory, e.g. 'muonsharp report {sweep}'", error.Message);
        Assert.Equal(2, ReportBuilder.FindRuns(sweep).Count);
    }

    [Fact]
    public void A_sweep_or_a_folder_of_its_points_is_not_pooled_as_seeds_and_the_error_names_the_sweep()
    {
        using var temp = new TempDirectory();
        var sweep = ToySweep.Run(temp.Sub("lr"), 1, "learning_rate=0.1,0.3");
        var points = Path.Combine(sweep, "points");

        var atSweep = Assert.Throws<LabUserException>(() => ReportBuilder.Read(sweep + Path.DirectorySeparatorChar));
        var inside = Assert.Throws<LabUserException>(() => ReportBuilder.Read(points));

        Assert.Contains("is a sweep: its runs are grid points, not seeds of one config", atSweep.Message);
        Assert.Contains($"is inside the sweep '{sweep}'", inside.Message);
        Assert.Single(ReportBuilder.Read(Directory.GetDirectories(points)[0]).Runs);   // one point alone is one run: nothing pooled
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

        Assert.Contains("| `done` | toy | quick | completed |", markdown);
        Assert.Contains("| `failed` | toy | quick | failed — continue it with --resume |", markdown);
        Assert.Contains("| `killed` | toy | quick | stopped before finishing (killed?) — continue it with --resume |", markdown);
        Assert.Contains("| `killed-early` | toy | quick | stopped before finishing", markdown);
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

    [Fact]
    public void A_number_of_one_run_has_no_spread_and_a_standard_deviation_is_shown_as_its_range_not_averaged()
    {
        var spec = new ClaimSpec("c", "000 §3", "s", "m", "t");
        AggregatedClaim Over(params double[] values) => ClaimAggregation.Aggregate(values.Select((v, i) => ($"r{i}",
            new RunSummary("x", "", "", RunStatus.Completed, new System.Text.Json.Nodes.JsonObject(),
                new[] { spec.Judge(true, new Dictionary<string, double> { ["ratio"] = v, ["gd_std"] = v / 10 }) }, Array.Empty<string>()))).ToList()).Single();

        Assert.Equal("ratio = 2", Over(2).Describe("ratio"));
        Assert.Equal("ratio = 2 ± 1.4142 (2 runs)", Over(1, 3).Describe("ratio"));
        Assert.Equal("gd_std = 0.1 to 0.3 over 2 runs", Over(1, 3).Describe("gd_std"));
    }

    [Fact]
    public void Per_seed_numbers_of_runs_on_overlapping_seeds_line_up_by_seed()
    {
        var spec = new ClaimSpec("c", "000 §3", "s", "m", "t");
        (string, RunSummary) Run(string name, params int[] seeds) => (name, new RunSummary("x", "", "", RunStatus.Completed, new System.Text.Json.Nodes.JsonObject(),
            new[] { spec.Judge(true, seeds.ToDictionary(s => $"slope_seed{s}", s => 10.0 * s + name.Length)) }, Array.Empty<string>()));

        var claim = ClaimAggregation.Aggregate(new[] { Run("a", 0, 1), Run("bb", 1, 2) }).Single();

        Assert.Equal(new[] { "slope_seed0", "slope_seed1", "slope_seed2" }, claim.Measured.Keys.Order());
        Assert.Equal((1, 11.0, 12.0), (claim.Measured["slope_seed0"].Count, claim.Measured["slope_seed1"].Min, claim.Measured["slope_seed1"].Max));
        Assert.Equal("slope_seed2 = 22", claim.Describe("slope_seed2"));
    }

    [Fact]
    public void The_decisive_numbers_come_first_and_an_inconclusive_verdict_carries_its_reason()
    {
        var spec = new ClaimSpec("c", "000 §3", "s", "m", "t");
        var measured = new Dictionary<string, double> { ["a"] = 1, ["b"] = 2, ["c"] = 3 };
        var claim = ClaimAggregation.Aggregate(new[] { ("r", new RunSummary("x", "", "", RunStatus.Completed, new System.Text.Json.Nodes.JsonObject(),
            new[] { spec.Judge(null, measured, "SGD did not fit the trained pairs", decisive: new[] { "c" }) }, Array.Empty<string>())) }).Single();

        Assert.Equal(new[] { "c" }, claim.Split().Headline);
        Assert.Equal(new[] { "a", "b" }, claim.Split().Details);
        Assert.Equal("inconclusive: SGD did not fit the trained pairs", ReportData.VerdictWithReason(claim));
        Assert.Throws<ArgumentException>(() => spec.Judge(true, measured, decisive: new[] { "missing" }));
    }

    [Fact]
    public void Every_paper_in_code_is_cited_in_docs_papers_md_and_the_library_package_readme_and_sources_gain_their_titles()
    {
        var docs = File.ReadAllText(Path.Combine(RepositoryRoot(), "docs", "papers.md"));
        // The library's XML docs cite papers by id; its package README is where a package user resolves them.
        var packageReadme = File.ReadAllText(Path.Combine(RepositoryRoot(), "src", "MuonSharp", "README.md"));

        foreach (var paper in Papers.All) Assert.Contains($"| {paper.Id} | {paper.Title} |", docs);
        foreach (var paper in Papers.All) Assert.Contains($"| {paper.Id} | {paper.Title}", packageReadme);
        Assert.Equal("002 §4 — “The Spectral Dynamics and Noise Geometry of Muon”", Papers.WithTitles("002 §4"));
        Assert.Equal("test", Papers.WithTitles("test"));
    }

    private static string RepositoryRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "MuonSharp.slnx"))) dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("repository root not found");
    }
}
