using MuonSharp.Lab.Experiments;
using MuonSharp.Lab.Sweeps;

namespace MuonSharp.Lab.Tests.Sweeps;

public sealed class SweepManifestTests
{
    private static readonly ToyExperiment Toy = new();

    private static IReadOnlyList<SweepPoint> Points(params string[] values) =>
        SweepGrid.Expand(Toy, Toy.Quick, SweepGrid.Parse(new[] { "learning_rate=" + string.Join(",", values) }, typeof(ToyConfig)), 2);

    [Fact]
    public void A_written_manifest_reads_back_as_the_same_points()
    {
        using var temp = new TempDirectory();
        var points = Points("0.1", "0.3");

        Assert.False(SweepManifest.WriteOrMatch(temp.Sub("sweep"), points));
        var read = SweepManifest.Read(temp.Sub("sweep"));

        Assert.Equal(SweepManifest.Text(points), SweepManifest.Text(read));
        Assert.Equal(4, File.ReadAllLines(Path.Combine(temp.Sub("sweep"), SweepManifest.FileName)).Length);
        Assert.Equal(points[3].RunId, SweepManifest.ReadPoint(temp.Sub("sweep"), 3).RunId);
    }

    [Fact]
    public void The_same_sweep_again_matches_and_a_different_one_is_refused()
    {
        using var temp = new TempDirectory();
        SweepManifest.WriteOrMatch(temp.Sub("sweep"), Points("0.1", "0.3"));

        Assert.True(SweepManifest.WriteOrMatch(temp.Sub("sweep"), Points("0.1", "0.3")));
        var other = Assert.Throws<LabUserException>(() => SweepManifest.WriteOrMatch(temp.Sub("sweep"), Points("0.1", "0.2")));
        Assert.Contains("holds a different sweep (point 2 differs)", other.Message);
        var longer = Assert.Throws<LabUserException>(() => SweepManifest.WriteOrMatch(temp.Sub("sweep"), Points("0.1", "0.3", "0.4")));
        Assert.Contains("it has 4 points, this command makes 6", longer.Message);
    }

    [Fact]
    public void A_folder_holding_something_else_is_refused_and_left_alone()
    {
        using var temp = new TempDirectory();
        File.WriteAllText(temp.Sub("notes.txt"), "mine");

        var error = Assert.Throws<LabUserException>(() => SweepManifest.WriteOrMatch(temp.Path, Points("0.1")));

        Assert.Contains("is not empty and holds no sweep", error.Message);
        Assert.Equal(new[] { temp.Sub("notes.txt") }, Directory.GetFileSystemEntries(temp.Path));
    }

    [Fact]
    public void Reading_a_folder_without_a_sweep_or_an_index_out_of_range_names_what_is_there()
    {
        using var temp = new TempDirectory();
        Assert.Contains("holds no sweep", Assert.Throws<LabUserException>(() => SweepManifest.Read(temp.Path)).Message);

        SweepManifest.WriteOrMatch(temp.Sub("sweep"), Points("0.1"));
        Assert.Contains("--index 2: the sweep in", Assert.Throws<LabUserException>(() => SweepManifest.ReadPoint(temp.Sub("sweep"), 2)).Message);
        Assert.Contains("points 0 to 1", Assert.Throws<LabUserException>(() => SweepManifest.ReadPoint(temp.Sub("sweep"), 2)).Message);
    }

    [Fact]
    public void Sweeps_are_found_below_a_folder_but_not_at_it_and_their_points_are_inside_them_with_or_without_a_trailing_separator()
    {
        using var temp = new TempDirectory();
        SweepManifest.WriteOrMatch(temp.Sub(Path.Combine("b", "deep")), Points("0.1"));
        SweepManifest.WriteOrMatch(temp.Sub("a"), Points("0.1"));

        Assert.Equal(new[] { temp.Sub("a"), temp.Sub(Path.Combine("b", "deep")) }, SweepManifest.FindUnder(temp.Path));
        Assert.Empty(SweepManifest.FindUnder(temp.Sub("a")));
        Assert.Empty(SweepManifest.FindUnder(temp.Sub("a") + Path.DirectorySeparatorChar));
        Assert.Equal(Path.GetFullPath(temp.Sub("a")), SweepManifest.Enclosing(Path.Combine(temp.Sub("a"), "points", "000-toy")));
        Assert.Null(SweepManifest.Enclosing(temp.Sub("a")));
        Assert.True(SweepManifest.IsInside(Path.Combine(temp.Sub("a"), "points", "000-toy"), new[] { temp.Sub("a") }));
        Assert.False(SweepManifest.IsInside(temp.Sub("a"), new[] { temp.Sub("a") }));
        Assert.False(SweepManifest.IsInside(temp.Sub("ab"), new[] { temp.Sub("a") }));
    }
}
