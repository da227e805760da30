"""Letters of request as signed PDFs (Art. 40(14): requests in writing), ADR 0027."""
