"""Legal duties: removal orders (Regulation (EU) 2021/784) and their deadlines, preservation, notices, complaints."""
