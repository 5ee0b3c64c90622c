using MuonSharp.Lab.Data;
using MuonSharp.Lab.Experiments;

namespace MuonSharp.Lab.Tests.Data;

/// <summary>Text for character-level models: a named dataset or any UTF-8 file, read strictly.</summary>
public sealed class TextTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    private DatasetStore Store(string? user = null, params IDatasetSource[] sources) =>
        new(user, _temp.Sub("cache")) { Offline = false, Sources = sources };

    [Fact]
    public void Given_a_path_to_a_utf8_file_then_its_text_is_used_as_is_without_a_byte_order_mark()
    {
        var path = _temp.Sub("poem.txt");
        File.WriteAllBytes(path, new byte[] { 0xEF, 0xBB, 0xBF }.Concat("Ἐν ἀρχῇ\nIn the beginning\r\n"u8.ToArray()).ToArray());

        Assert.Equal("Ἐν ἀρχῇ\nIn the beginning\r\n", Store().Text(path));
    }

    [Fact]
    public void Given_a_file_name_relative_to_the_data_directory_then_it_is_found_there()
    {
        File.WriteAllText(_temp.Sub("shakespeare.txt"), "To be");

        Assert.Equal("To be", Store(_temp.Path).Text("shakespeare.txt"));
    }

    [Fact]
    public void Given_invalid_utf8_then_the_error_names_the_file_the_byte_and_its_offset()
    {
        var path = _temp.Sub("latin1.txt");
        File.WriteAllBytes(path, "caf"u8.ToArray().Append((byte)0xE9).Append((byte)0x21).ToArray());

        var error = Assert.Throws<LabUserException>(() => Store().Text(path));

        Assert.Equal($"Text file '{path}' is not valid UTF-8: byte 0xe9 at offset 3.", error.Message);
    }

    [Fact]
    public void Given_an_empty_file_or_a_name_that_is_neither_dataset_nor_file_then_the_error_says_so()
    {
        File.WriteAllText(_temp.Sub("empty.txt"), "");

        Assert.Contains("is empty", Assert.Throws<LabUserException>(() => Store().Text(_temp.Sub("empty.txt"))).Message);
        Assert.Equal($"'nope.txt' is neither a text dataset (kjv) nor an existing file (looked in the working directory and in {_temp.Path}).",
            Assert.Throws<LabUserException>(() => Store(_temp.Path).Text("nope.txt")).Message);
    }

    [Fact]
    public void Given_the_users_kjv_txt_then_it_takes_precedence_over_the_source()
    {
        File.WriteAllText(_temp.Sub("kjv.txt"), "my own Bible");
        var source = FakeSource.Text("fetched Bible");

        Assert.Equal("my own Bible", Store(_temp.Path, source).Text("kjv"));
        Assert.Equal(0, source.Calls);
    }

    [Fact]
    public void Given_no_copy_then_kjv_is_fetched_once_cached_and_counted_in_characters()
    {
        const string Verse = "In the beginning God created the heaven and the earth.\n";
        var source = FakeSource.Text(Verse);
        var store = Store(null, source);

        Assert.Equal(Verse, store.Text("kjv"));
        var summary = store.Fetch("kjv");

        Assert.Equal(1, source.Calls);
        Assert.Equal(new SplitCount("text", Verse.Length, "characters"), Assert.Single(summary.Splits));
        Assert.True(File.Exists(_temp.Sub("cache/kjv/kjv.txt")));
    }

    [Fact]
    public void Given_a_source_writing_invalid_utf8_then_nothing_is_cached()
    {
        var source = new FakeSource("kjv", folder => File.WriteAllBytes(Path.Combine(folder, "kjv.txt"), new byte[] { 0x41, 0xFF }));

        var error = Assert.Throws<LabUserException>(() => Store(null, source).Text("kjv"));

        Assert.Contains("not valid UTF-8: byte 0xff at offset 1", error.Message);
        Assert.False(Directory.Exists(_temp.Sub("cache/kjv")));
    }
}
