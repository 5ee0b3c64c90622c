using MuonSharp.Lab.Data;
using MuonSharp.Lab.Experiments.SpuriousMnist;
using MuonSharp.Lab.Tests.Data;
using TorchSharp;
using static TorchSharp.torch;

namespace MuonSharp.Lab.Tests.Experiments.SpuriousMnist;

public sealed class SpuriousPixelTests
{
    [Fact]
    public void The_ten_class_pixels_are_distinct_in_row_1_and_no_two_touch()
    {
        var positions = Enumerable.Range(0, 10).Select(SpuriousPixel.Of).ToList();

        Assert.All(positions, p => Assert.Equal(1, p.Row));
        Assert.Equal(10, positions.Distinct().Count());
        Assert.All(positions.Zip(positions.Skip(1)), pair => Assert.True(pair.Second.Column - pair.First.Column >= 2));
        Assert.All(positions, p => Assert.InRange(p.Column, 4, 23));   // inside the 4-pixel margin around MNIST's 20×20 box
        Assert.Throws<ArgumentOutOfRangeException>(() => SpuriousPixel.Of(10));
        Assert.Throws<ArgumentOutOfRangeException>(() => SpuriousPixel.Of(-1));
    }

    [Theory]
    [InlineData(0.25)]
    [InlineData(1.0)]
    [InlineData(4.0)]
    public void Adding_sets_exactly_each_images_class_pixel_to_the_intensity_and_leaves_the_input_alone(double intensity)
    {
        using var images = rand(6, 1, 28, 28, generator: new TorchSharp.torch.Generator(1));
        using var before = images.clone();
        using var labels = tensor(new long[] { 0, 3, 9, 3, 5, 1 });

        using var result = SpuriousPixel.Add(images, labels, intensity);

        Assert.True(images.eq(before).all().item<bool>());
        using var changed = result.ne(images);
        Assert.Equal(6, changed.sum().ToInt64());
        var labelValues = labels.data<long>().ToArray();
        for (int i = 0; i < 6; i++)
        {
            var (row, column) = SpuriousPixel.Of((int)labelValues[i]);
            Assert.Equal((float)intensity, result[i, 0, row, column].ToSingle());
            Assert.True(changed[i, 0, row, column].item<bool>());
        }
    }

    [Fact]
    public void Bad_intensities_and_shapes_are_refused_naming_what_is_accepted()
    {
        using var images = zeros(2, 1, 28, 28);
        using var labels = tensor(new long[] { 0, 1 });
        using var flat = zeros(2, 784);

        Assert.Contains("> 0", Assert.Throws<ArgumentOutOfRangeException>(() => SpuriousPixel.Add(images, labels, 0)).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => SpuriousPixel.Add(images, labels, double.NaN));
        Assert.Contains("[n, 1, 28, 28]", Assert.Throws<ArgumentException>(() => SpuriousPixel.Add(flat, labels, 1)).Message);
    }

    [Fact]
    public void The_ink_fraction_counts_the_images_with_a_non_zero_byte_at_a_class_pixel()
    {
        using var temp = new TempDirectory();
        TinyDatasets.WriteImages(Path.Combine(temp.Path, DatasetNames.Mnist), train: 12, test: 5);   // image i is uniformly (7i mod 256): only image 0 is blank
        var mnist = new DatasetStore(temp.Path, temp.Sub("cache")).Mnist();

        Assert.Equal(11.0 / 12, SpuriousPixel.InkFraction(mnist.Train), 12);
        Assert.Equal(4.0 / 5, SpuriousPixel.InkFraction(mnist.Test), 12);
    }
}
