using Invoices;
using Xunit;

public class InvoiceTests
{
    [Theory]
    [InlineData("", 0L)]
    [InlineData("250*2", 500L)]
    [InlineData("250*2,1999*1", 2499L)]
    public void TotalsAddUp(string lines, long expected) =>
        Assert.Equal(expected, Invoice.Total(lines));

    [Theory]
    [InlineData("250")]
    [InlineData("-1*2")]
    [InlineData("250*0")]
    [InlineData("9223372036854775807*2")]
    public void BadLinesHaveNoTotal(string lines) => Assert.Null(Invoice.Total(lines));
}
