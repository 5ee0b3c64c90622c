using System.IO.Compression;
using MuonSharp.Lab.Data;
using MuonSharp.Lab.Experiments;

namespace MuonSharp.Lab.Tests.Data;

public sealed class IdxFileTests
{
    // A label file of three labels, written out byte by byte: magic 0x00000801, n = 3, then the labels.
    private static readonly byte[] ThreeLabels = { 0, 0, 8, 1, 0, 0, 0, 3, 7, 8, 9 };

    // An image file of one 2×3 image: magic 0x00000803, dimensions 1, 2, 3, then the pixels row by row.
    private static readonly byte[] OneImage = { 0, 0, 8, 3, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3, 10, 20, 30, 40, 50, 60 };

    [Fact]
    public void Given_hand_written_label_bytes_when_read_then_shape_and_values_come_out()
    {
        using var temp = new TempDirectory();
        File.WriteAllBytes(temp.Sub("labels"), ThreeLabels);

        var labels = IdxFile.ReadLabels(temp.Sub("labels"));

        Assert.Equal(new[] { 3 }, labels.Shape);
        Assert.Equal(new byte[] { 7, 8, 9 }, labels.Data);
    }

    [Fact]
    public void Given_hand_written_image_bytes_when_read_then_dimensions_are_big_endian_and_pixels_row_major()
    {
        using var temp = new TempDirectory();
        File.WriteAllBytes(temp.Sub("images"), OneImage);

        var images = IdxFile.ReadImages(temp.Sub("images"));

        Assert.Equal(new[] { 1, 2, 3 }, images.Shape);
        Assert.Equal(new byte[] { 10, 20, 30, 40, 50, 60 }, images.Data);
    }

    [Fact]
    public void When_writing_then_the_bytes_are_exactly_the_format()
    {
        using var temp = new TempDirectory();

        IdxFile.Write(temp.Sub("images"), new IdxArray(new[] { 1, 2, 3 }, new byte[] { 10, 20, 30, 40, 50, 60 }));
        IdxFile.Write(temp.Sub("labels"), new IdxArray(new[] { 3 }, new byte[] { 7, 8, 9 }));

        Assert.Equal(OneImage, File.ReadAllBytes(temp.Sub("images")));
        Assert.Equal(ThreeLabels, File.ReadAllBytes(temp.Sub("labels")));
        Assert.Equal(0x00000803, IdxFile.ImagesMagic);
        Assert.Equal(0x00000801, IdxFile.LabelsMagic);
    }

    [Fact]
    public void Given_a_gzip_file_when_read_then_it_is_decompressed_whatever_its_name()
    {
        using var temp = new TempDirectory();
        using (var gzip = new GZipStream(File.Create(temp.Sub("labels-without-extension")), CompressionLevel.Fastest))
            gzip.Write(ThreeLabels);
        IdxFile.Write(temp.Sub("images.gz"), new IdxArray(new[] { 1, 2, 3 }, new byte[] { 10, 20, 30, 40, 50, 60 }));

        Assert.Equal(new byte[] { 7, 8, 9 }, IdxFile.ReadLabels(temp.Sub("labels-without-extension")).Data);
        Assert.Equal(new byte[] { 0x1f, 0x8b }, File.ReadAllBytes(temp.Sub("images.gz"))[..2]);
        Assert.Equal(new[] { 1, 2, 3 }, IdxFile.ReadImages(temp.Sub("images.gz")).Shape);
    }

    [Theory]
    [InlineData(new byte[] { 0x12, 0x34, 0x56, 0x78, 0, 0, 0, 0 }, "magic number 0x12345678 is not IDX of unsigned bytes")]
    [InlineData(new byte[] { 0, 0, 0x0d, 1, 0, 0, 0, 1, 0, 0, 0, 0 }, "magic number 0x00000d01")]
    [InlineData(new byte[] { 0, 0, 8 }, "only 3 bytes")]
    [InlineData(new byte[] { 0, 0, 8, 3, 0, 0, 0, 1, 0, 0 }, "truncated header")]
    [InlineData(new byte[] { 0, 0, 8, 1, 0, 0, 0, 5, 1, 2 }, "truncated: the header says [5] = 5 bytes of data, the file has 2")]
    [InlineData(new byte[] { 0, 0, 8, 1, 0, 0, 0, 1, 1, 2 }, "1 bytes after the [1] data")]
    [InlineData(new byte[] { 0, 0, 8, 1, 0xff, 0xff, 0xff, 0xff }, "dimension 0 is negative")]
    public void Given_a_malformed_file_when_read_then_a_one_line_error_names_the_file_and_the_problem(byte[] bytes, string problem)
    {
        using var temp = new TempDirectory();
        File.WriteAllBytes(temp.Sub("bad-idx"), bytes);

        var error = Assert.Throws<LabUserException>(() => IdxFile.Read(temp.Sub("bad-idx")));

        Assert.Contains(temp.Sub("bad-idx"), error.Message);
        Assert.Contains(problem, error.Message);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Fact]
    public void Given_a_label_file_when_read_as_images_then_the_error_says_which_magic_was_expected()
    {
        using var temp = new TempDirectory();
        File.WriteAllBytes(temp.Sub("labels"), ThreeLabels);

        var error = Assert.Throws<LabUserException>(() => IdxFile.ReadImages(temp.Sub("labels")));

        Assert.Contains("magic number 0x00000801 (1 dimensions) where images need 0x00000803", error.Message);
    }

    [Fact]
    public void Given_a_missing_or_broken_gzip_file_when_read_then_the_error_names_it()
    {
        using var temp = new TempDirectory();
        File.WriteAllBytes(temp.Sub("broken.gz"), new byte[] { 0x1f, 0x8b, 8, 0, 1, 2, 3 });

        Assert.Contains("Cannot read IDX file", Assert.Throws<LabUserException>(() => IdxFile.Read(temp.Sub("missing"))).Message);
        Assert.Contains(temp.Sub("broken.gz"), Assert.Throws<LabUserException>(() => IdxFile.Read(temp.Sub("broken.gz"))).Message);
    }
}
