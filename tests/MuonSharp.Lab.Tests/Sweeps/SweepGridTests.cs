using MuonSharp.Lab.Experiments;
using MuonSharp.Lab.Sweeps;

namespace MuonSharp.Lab.Tests.Sweeps;

public sealed class SweepGridTests
{
    private static readonly ToyExperiment Toy = new();

    private static IReadOnlyList<SweepPoint> Expand(int seeds, params string[] grid) =>
        SweepGrid.Expand(Toy, Toy.Quick with { Seed = 5 }, SweepGrid.Parse(grid, typeof(ToyConfig)), seeds);

    [Fact]
    public void The_grid_is_the_product_of_its_axes_times_the_seeds_first_axis_slowest_seed_innermost()
    {
        var points = Expand(2, "learning_rate=0.1,0.2", "shape=flat,steep");

        Assert.Equal(8, points.Count);
        Assert.Equal(Enumerable.Range(0, 8), points.Select(p => p.Index));
        Assert.Equal(new[] { 5, 6, 5, 6, 5, 6, 5, 6 }, points.Select(p => p.Seed));
        Assert.Equal(new[] { 0.1, 0.1, 0.1, 0.1, 0.2, 0.2, 0.2, 0.2 }, points.Select(p => (double)p.Config["learning_rate"]!));
        Assert.Equal(new[] { "flat", "flat", "steep", "steep" }, points.Take(4).Select(p => (string)p.Config["shape"]!));
        Assert.All(points, p => Assert.Equal(1, (int)p.Config["seeds"]!));
        Assert.All(points, p => Assert.Equal(p.Seed, (int)p.Config["seed"]!));
        Assert.Equal("learning_rate=0.2, shape=steep, seed 6", points[7].Label);
    }

    [Fact]
    public void An_axis_over_a_key_config_json_leaves_out_at_its_default_still_names_every_value()
    {
        var toy = new Training.RegressionToy();
        var axes = SweepGrid.Parse(new[] { "momentum_warmup_steps=0,5" }, typeof(Training.RegressionToyConfig));

        var points = SweepGrid.Expand(toy, toy.Quick, axes, 1);

        Assert.Equal(new[] { 0, 5 }, points.Select(p => (int)p.Grid["momentum_warmup_steps"]!));
        Assert.False(points[0].Config.ContainsKey("momentum_warmup_steps"));
        Assert.Equal(5, (int)points[1].Config["momentum_warmup_steps"]!);
        Assert.NotEqual(points[0].RunId, points[1].RunId);
    }

    [Fact]
    public void Without_a_grid_the_points_are_the_seeds()
    {
        var points = Expand(3);

        Assert.Equal(new[] { 5, 6, 7 }, points.Select(p => p.Seed));
        Assert.All(points, p => Assert.Empty(p.Grid));
    }

    [Fact]
    public void A_run_id_depends_on_the_config_alone()
    {
        var a = Expand(1, "learning_rate=0.1,0.2");
        var b = Expand(1, "learning_rate=0.3,0.2");   // 0.2 is at the same index in both
        var c = Expand(1, "learning_rate=0.2,0.1");   // 0.2 at another index

        Assert.Equal(a[1].RunId, b[1].RunId);
        Assert.Equal(a[1].RunId, c[0].RunId);
        Assert.NotEqual(a[0].RunId, a[1].RunId);
        Assert.Equal($"points/000-{c[0].RunId}", c[0].Directory);
        Assert.Equal(SweepManifest.Text(a), SweepManifest.Text(Expand(1, "learning_rate=0.1,0.2")));
    }

    [Theory]
    [InlineData("nope=1,2", "unknown config key 'nope'", "cautious_wd, learning_rate, momentum_warmup_steps, ns_method, save_state, shape, steps")]
    [InlineData("seed=1,2", "--grid seed", "--seeds N")]
    [InlineData("seeds=1,2", "--grid seeds", "--seeds N")]
    [InlineData("optimizers=gd,gd-half", "--grid optimizers", "list-valued")]
    [InlineData("scales=1,2", "--grid scales", "--set")]
    [InlineData("learning_rate=", "zero points", "learning_rate=v1,v2")]
    [InlineData("learning_rate", "not of the form key=v1,v2", "learning_rate")]
    [InlineData("learning_rate=0.1,0.1", "repeats a value", "0.1,0.1")]
    public void A_bad_axis_is_refused_naming_it_and_what_is_accepted(string spec, string named, string accepted)
    {
        var error = Assert.Throws<LabUserException>(() => SweepGrid.Parse(new[] { spec }, typeof(ToyConfig)));

        Assert.Contains(named, error.Message);
        Assert.Contains(accepted, error.Message);
    }

    [Fact]
    public void A_key_given_twice_is_refused()
    {
        var error = Assert.Throws<LabUserException>(() => SweepGrid.Parse(new[] { "shape=flat", "shape=steep" }, typeof(ToyConfig)));

        Assert.Contains("--grid shape is given twice", error.Message);
    }

    [Theory]
    [InlineData("learning_rate=0.1,-1", "learning_rate=-1", "must be > 0")]
    [InlineData("learning_rate=0.1,abc", "learning_rate=abc", "expects a finite number")]
    [InlineData("shape=flat,round", "shape=round", "one of flat, steep")]
    public void A_value_that_fails_the_configs_validation_is_refused_naming_the_point(string spec, string point, string why)
    {
        var error = Assert.Throws<LabUserException>(() => Expand(1, spec));

        Assert.Contains($"--grid point {point}", error.Message);
        Assert.Contains(why, error.Message);
    }
}
