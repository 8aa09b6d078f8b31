using DrsNotify.Server.Identity.Signing;

namespace DrsNotify.Tests.Identity.Signing;

public sealed class CanonicalRequestTests
{
    [Theory]
    [InlineData("", "/")]
    [InlineData("/", "/")]
    [InlineData("/v3/p/jobs", "/v3/p/jobs/")]
    [InlineData("/v3/p/jobs/", "/v3/p/jobs/")]
    [InlineData("/v5/p/jobs/job%20id~%C3%A9+%2F(x)", "/v5/p/jobs/job%20id~%C3%A9%2B/%28x%29/")]
    [InlineData("/a%2fb", "/a/b/")]
    [InlineData("/a%e2%82%ACb", "/a%E2%82%ACb/")]
    [InlineData("/100%", "/100%25/")]
    [InlineData("/%zz", "/%25zz/")]
    [InlineData("/é", "/%C3%A9/")]
    public void CanonicalUri_RawPath_IsReencoded(string rawPath, string expected)
    {
        Assert.Equal(expected, CanonicalRequest.CanonicalUri(rawPath));
    }

    [Theory]
    [InlineData("", "")]
    [InlineData("b=2&a=1", "a=1&b=2")]
    [InlineData("a=2&a=1", "a=1&a=2")]
    [InlineData("flag", "flag=")]
    [InlineData("x=1=2", "x=1%3D2")]
    [InlineData("q=a+b%20c", "q=a%20b%20c")]
    [InlineData("q=a%2Bb", "q=a%2Bb")]
    [InlineData("a=1&&b=2", "a=1&b=2")]
    [InlineData("k=a'b!c*", "k=a%27b%21c%2A")]
    [InlineData("type=detail&query_id=Zz%20a*b&offset=0&limit=10&source_db_name=db%20name+%C3%BC&x=1=2&log_level=a'b!c",
        "limit=10&log_level=a%27b%21c&offset=0&query_id=Zz%20a%2Ab&source_db_name=db%20name%20%C3%BC&type=detail&x=1%3D2")]
    public void CanonicalQuery_RawQuery_IsSortedAndReencoded(string rawQuery, string expected)
    {
        Assert.Equal(expected, CanonicalRequest.CanonicalQuery(rawQuery));
    }
}
