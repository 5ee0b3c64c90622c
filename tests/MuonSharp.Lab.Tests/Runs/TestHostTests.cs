namespace MuonSharp.Lab.Tests.Runs;

public sealed class TestHostTests
{
    [Fact]
    public void The_test_host_runs_with_the_large_gen0_budget_of_test_runsettings()
    {
        Assert.Equal("0x10000000", Environment.GetEnvironmentVariable("DOTNET_GCgen0size"));
    }
}
