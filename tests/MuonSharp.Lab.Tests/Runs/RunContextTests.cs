using MuonSharp.Lab.Runs;

namespace MuonSharp.Lab.Tests.Runs;

public sealed class RunContextTests
{
    private static RunContext Context() => new(Path.GetTempPath(), SilentProgress.Instance, CancellationToken.None);

    public sealed record Trajectory(string Optimizer, double[] Loss, IReadOnlyList<double[]> Sigma, (int Step, double Value) Best);

    [Fact]
    public void A_unit_result_comes_back_through_json_equal_to_what_was_computed_including_nan_and_infinity()
    {
        var computed = new Trajectory("muon", new[] { 1.0, double.NaN, double.PositiveInfinity, 0.1 + 0.2 }, new[] { new[] { 1e-300, -0.0 } }, (3, 2.5));

        var returned = Context().Unit("muon/seed-0", () => computed);

        Assert.Equal(computed.Loss, returned.Loss);
        Assert.Equal(computed.Sigma[0], returned.Sigma[0]);
        Assert.Equal(computed.Best, returned.Best);
    }

    [Fact]
    public void A_result_that_is_not_plain_data_is_an_error_naming_the_unit()
    {
        var error = Assert.Throws<InvalidOperationException>(() => Context().Unit("grid", () => new double[2, 2]));

        Assert.Contains("unit 'grid'", error.Message);
    }

    [Fact]
    public void Units_do_not_nest_and_keys_are_unique()
    {
        var context = Context();
        context.Unit("a", () => 1);

        Assert.Throws<InvalidOperationException>(() => context.Unit("a", () => 2));
        Assert.Throws<InvalidOperationException>(() => context.Unit("b", () => context.Unit("c", () => 3)));
    }

    [Fact]
    public void A_step_boundary_throws_when_the_run_is_stopping()
    {
        using var stop = new CancellationTokenSource();
        var context = new RunContext(Path.GetTempPath(), SilentProgress.Instance, stop.Token);
        context.StepBoundary();
        stop.Cancel();

        Assert.Throws<OperationCanceledException>(() => context.StepBoundary());
    }
}

public sealed class MetricRowTests
{
    [Theory]
    [InlineData(0L, "gd", 0, "loss", 0.1)]
    [InlineData(123456789012L, "a,b", -3, "q\"uote", -1.2345678901234567e-300)]
    [InlineData(7L, "muon", 2, "sigma_1", double.NaN)]
    [InlineData(7L, "muon", 2, "sigma_1", double.NegativeInfinity)]
    public void The_streamed_line_equals_the_formatted_line_and_parses_back(long step, string optimizer, int seed, string metric, double value)
    {
        var row = new MetricRow(step, optimizer, seed, metric, value);
        var writer = new StringWriter();

        row.WriteCsvLine(writer);

        Assert.Equal(row.ToCsvLine(), writer.ToString());
        using var temp = new TempDirectory();
        var path = temp.Sub("m.csv");
        File.WriteAllText(path, MetricRow.CsvHeader + writer);
        Assert.Equal(row, MetricsRecorder.Read(path).Single());
    }
}
