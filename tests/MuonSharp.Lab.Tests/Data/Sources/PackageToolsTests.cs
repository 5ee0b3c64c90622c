using MuonSharp.Lab.Data.Sources;
using MuonSharp.Lab.Experiments;

namespace MuonSharp.Lab.Tests.Data.Sources;

public sealed class PackageToolsTests
{
    [Fact]
    public void Given_apt_without_package_lists_then_the_message_suggests_apt_get_update()
    {
        var result = new PackageTools.Result(100, "", "W: Download is performed unsandboxed as root\nE: Unable to locate package dataset-fashion-mnist\n");

        var message = PackageTools.AptDownloadFailure("dataset-fashion-mnist", result);

        Assert.Equal("'apt-get download dataset-fashion-mnist' failed (exit 100): E: Unable to locate package dataset-fashion-mnist "
            + "(the package lists may be missing: run 'sudo apt-get update' and try again)", message);
    }

    [Fact]
    public void Tool_errors_are_summarized_on_one_line_without_notices_and_warnings()
    {
        var npm = "npm notice\nnpm warn config x\nnpm error code ENOTFOUND\nnpm error syscall getaddrinfo\nnpm error errno ENOTFOUND\nnpm error network more\n";

        Assert.Equal("npm error code ENOTFOUND | npm error syscall getaddrinfo | npm error errno ENOTFOUND", PackageTools.Summary(npm));
        Assert.Equal("no error message", PackageTools.Summary("\n"));
    }

    [Fact]
    public void Given_a_program_that_is_not_installed_then_the_error_says_so_in_one_line()
    {
        var error = Assert.Throws<LabUserException>(() => PackageTools.Run("muonsharp-no-such-tool", Array.Empty<string>(), Path.GetTempPath()));

        Assert.Equal("muonsharp-no-such-tool is not installed (not found on PATH).", error.Message);
    }

    [Fact]
    public void A_program_run_gets_no_input_and_both_of_its_outputs_are_captured()
    {
        var result = PackageTools.Run("sh", new[] { "-c", "cat; echo out; echo err >&2; exit 3" }, Path.GetTempPath());

        Assert.Equal(new PackageTools.Result(3, "out\n", "err\n"), result);
    }
}
