using MuonSharp.Lab.Experiments;
using MuonSharp.Lab.Reports;
using MuonSharp.Lab.Runs;

namespace MuonSharp.Lab.Tests.Reports;

public sealed class ReadmeTableTests
{
    [Fact]
    public void The_table_between_the_markers_is_replaced_and_the_rest_of_the_readme_kept()
    {
        using var temp = new TempDirectory();
        var toy = new ToyExperiment();
        LabRunner.Run(toy, toy.Quick, temp.Sub("runs/toy"));
        var readme = temp.Sub("README.md");
        File.WriteAllText(readme, $"# Title\n\nbefore\n{ReadmeTable.Begin}\nold table\n{ReadmeTable.End}\nafter\n");

        ReadmeTable.Replace(readme, ReadmeTable.Markdown(ReportBuilder.Read(temp.Sub("runs")), "muonsharp report runs --readme README.md", new DateOnly(2026, 11, 28)));
        var text = File.ReadAllText(readme);

        Assert.StartsWith("# Title\n\nbefore\n", text);
        Assert.EndsWith($"{ReadmeTable.End}\nafter\n", text);
        Assert.DoesNotContain("old table", text);
        Assert.Contains("Generated on 2026-11-28 by `muonsharp report runs --readme README.md`", text);
        Assert.Contains("| `toy` | test | quick |", text);
        Assert.Contains("loss-falls **holds**", text);
    }

    [Fact]
    public void A_readme_without_markers_is_a_user_error_and_is_left_untouched()
    {
        using var temp = new TempDirectory();
        var readme = temp.Sub("README.md");
        File.WriteAllText(readme, "# no markers\n");

        Assert.Contains("verdicts:begin", Assert.Throws<LabUserException>(() => ReadmeTable.Replace(readme, "x")).Message);
        Assert.Equal("# no markers\n", File.ReadAllText(readme));
    }
}
