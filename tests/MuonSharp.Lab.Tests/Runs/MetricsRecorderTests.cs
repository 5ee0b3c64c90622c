using MuonSharp.Lab.Runs;

namespace MuonSharp.Lab.Tests.Runs;

public sealed class MetricsRecorderTests
{
    [Fact]
    public void Rows_round_trip_through_csv_including_awkward_names_and_exact_doubles()
    {
        using var temp = new TempDirectory();
        var recorder = new MetricsRecorder();
        recorder.Add(0, "muon, lr=0.02", 1, "sigma \"1\"", 0.1 + 0.2);
        recorder.Add(7, "gd", 2, "loss", double.Epsilon);
        var path = temp.Sub("metrics.csv");
        File.WriteAllText(path, recorder.ToCsv());

        var rows = MetricsRecorder.Read(path);

        Assert.Equal(recorder.Rows, rows);
        Assert.StartsWith("step,optimizer,seed,metric,value\n", recorder.ToCsv());
    }
}
