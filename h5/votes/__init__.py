"""网络投票 (V-3..V-7) for investors."""
